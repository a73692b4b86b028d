/**
 * One side of bench/certificate-browser.bench.ts, in a Chromium page of its own (its own browser context, so
 * its own renderer process): the client's `CertificateVerifier` with the BLS verifier the page was set up
 * with, timing each verification of the certificates the bench hands it.
 */
import { Principal } from '@dfinity/principal';
import { nobleBlsVerifier, type BlsVerifier } from '../../src/verifier/bls/bls-verifier';
import { loadWasmBlsVerifier } from '../../src/verifier/bls/load-bls-verifier';
import { CertificateVerifier } from '../../src/verifier/certificate-verifier';

declare global {
  interface Window {
    setUpSide(side: 'noble' | 'wasm', rootKeyHex: string, canisterId: string): Promise<{ kind: string; loadMs: number }>;
    verifyAll(certificatesHex: string[]): Promise<number[]>;
  }
}

const fromHex = (hex: string) => Uint8Array.from(hex.match(/../g) ?? [], (pair) => parseInt(pair, 16));
let verifier: CertificateVerifier | undefined;

window.setUpSide = async (side, rootKeyHex, canisterId) => {
  const t0 = performance.now();
  const bls: BlsVerifier = side === 'wasm' ? await loadWasmBlsVerifier() : nobleBlsVerifier;
  const loadMs = performance.now() - t0;
  verifier = new CertificateVerifier({
    rootKey: fromHex(rootKeyHex),
    canisterId: Principal.fromText(canisterId),
    maxAgeMs: 3_600_000,
    bls,
    cacheSize: 1,
    // The noble side is the client as it was: agent-js checks a delegation in every certificate.
    signatureMemoSize: side === 'wasm' ? undefined : 0,
  });
  return { kind: bls.kind, loadMs };
};

window.verifyAll = async (certificatesHex) => {
  const times: number[] = [];
  for (const hex of certificatesHex) {
    const certificate = fromHex(hex);
    const t0 = performance.now();
    await (verifier as CertificateVerifier).certifiedData(certificate);
    times.push(performance.now() - t0);
  }
  return times;
};
