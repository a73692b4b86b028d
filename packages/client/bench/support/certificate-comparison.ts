import { Principal } from '@dfinity/principal';
import { percentiles, spread } from '../../../../scripts/bench-kit';
import { createTestSubnet, makeCertificate, makeCertificateWithDelegation, makeDelegation } from '../../tests/support/fake-canister';

/** What the certificate benches compare: the @noble/curves path and the WebAssembly verifier. */
export const SIDES = ['noble', 'wasm'] as const;
export type Side = (typeof SIDES)[number];
/** `root`: signed by the root key directly (the devnet, local replicas); `delegated`: with a subnet delegation, as mainnet's. */
export type CertificateKind = 'root' | 'delegated';

/** The canister every certificate is for, and the root key they chain to. */
export const canisterId = Principal.fromText('bkyz2-fmaaa-aaaaa-qaaaq-cai');
export const root = createTestSubnet();
const subnet = createTestSubnet();
const delegation = makeDelegation(root, subnet, Principal.selfAuthenticating(subnet.rootKey), [[canisterId, canisterId]]);

/** `count` distinct certificates (distinct certified data): every one is new to the verifiers, as a new poll's is. */
export function certificates(kind: CertificateKind, count: number): Uint8Array[] {
  return Array.from({ length: count }, () => {
    const data = crypto.getRandomValues(new Uint8Array(32));
    return kind === 'root' ? makeCertificate(root, canisterId, data) : makeCertificateWithDelegation(subnet, delegation, canisterId, data);
  });
}

export const median = (numbers: readonly number[]) => spread(numbers).median;
export const fixed = (value: number, digits = 2) => Number(value.toFixed(digits));

/**
 * The result row of one kind of certificate: each side's median and p99 wall-clock time per certificate over
 * all rounds (`all`, ms), and min / median / max of the per-round ratios noble / wasm of wall-clock and CPU time.
 */
export function comparisonRow(kind: CertificateKind, all: Record<Side, number[]>, ratios: readonly number[], cpuRatios: readonly number[]) {
  const noble = percentiles(all.noble.map((ms) => ms * 1000));
  const fast = percentiles(all.wasm.map((ms) => ms * 1000));
  const ratio = spread(ratios);
  const cpuRatio = spread(cpuRatios);
  return {
    certificates: kind,
    nobleMedianMs: fixed(noble.medianUs / 1000),
    nobleP99Ms: fixed(noble.p99Us / 1000),
    wasmMedianMs: fixed(fast.medianUs / 1000),
    wasmP99Ms: fixed(fast.p99Us / 1000),
    ratioMin: fixed(ratio.min),
    ratioMedian: fixed(ratio.median),
    ratioMax: fixed(ratio.max),
    cpuRatioMin: fixed(cpuRatio.min),
    cpuRatioMedian: fixed(cpuRatio.median),
    cpuRatioMax: fixed(cpuRatio.max),
  };
}
