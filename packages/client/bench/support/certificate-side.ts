/**
 * One side of bench/certificate.bench.ts, in a process of its own so that neither side's garbage, JIT or
 * background threads are charged to the other: it verifies the certificates the parent sends, one at a time,
 * through the client's `CertificateVerifier` with the BLS verifier it was started with, and answers with the
 * wall-clock and CPU time (this process's, its own garbage collection included) of each verification.
 */
import { Principal } from '@dfinity/principal';
import { nobleBlsVerifier, type BlsVerifier } from '../../src/verifier/bls/bls-verifier';
import { loadWasmBlsVerifier } from '../../src/verifier/bls/load-bls-verifier';
import { CertificateVerifier } from '../../src/verifier/certificate-verifier';

/** What the parent sends. */
export type SideRequest =
  | { type: 'init'; side: 'noble' | 'wasm'; rootKey: Uint8Array; canisterId: string; rememberSignatures: boolean }
  | { type: 'verify'; certificate: Uint8Array };

/** What the side answers. */
export type SideReply = { type: 'ready'; kind: string; loadMs: number } | { type: 'verified'; wallMs: number; cpuMs: number } | { type: 'failed'; error: string };

let verifier: CertificateVerifier | undefined;

async function handle(request: SideRequest): Promise<SideReply> {
  if (request.type === 'init') {
    const t0 = performance.now();
    const bls: BlsVerifier = request.side === 'wasm' ? await loadWasmBlsVerifier() : nobleBlsVerifier;
    const loadMs = performance.now() - t0;
    // The certificate cache holds one entry and every certificate is new: each request is a full verification.
    verifier = new CertificateVerifier({
      rootKey: request.rootKey,
      canisterId: Principal.fromText(request.canisterId),
      maxAgeMs: 3_600_000,
      bls,
      cacheSize: 1,
      signatureMemoSize: request.rememberSignatures ? undefined : 0,
    });
    return { type: 'ready', kind: bls.kind, loadMs };
  }
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await (verifier as CertificateVerifier).certifiedData(request.certificate);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { type: 'verified', wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

process.on('message', (request: SideRequest) => {
  handle(request).then(
    (reply) => process.send?.(reply),
    (error: unknown) => process.send?.({ type: 'failed', error: error instanceof Error ? error.message : String(error) }),
  );
});
