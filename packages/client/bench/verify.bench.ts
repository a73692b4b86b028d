/**
 * Verified canister messages per second, batches of 50 sharing one certificate (as one `ws_get_messages`
 * reply does): the client's way (one certificate verification per batch) beside the naive way of the public
 * stack (the certificate verified again for every message), in the same run. Target: ratio >= 20.
 *
 *   npx tsx bench/verify.bench.ts
 *
 * bench-kit's `measure` times synchronous functions; verification is asynchronous (agent-js's
 * `Certificate.create`), so this file runs its own await loop and uses the kit's `percentiles` and `report`.
 */
import { IDL } from '@dfinity/candid';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { Principal } from '@dfinity/principal';
import type { CanisterMessageFrame, ClientKey } from 'ic-ws-protocol';
import { percentiles, report, type Measurement } from '../../../scripts/bench-kit';
import { CertificateVerifier } from '../src/verifier/certificate-verifier';
import { MessageVerifier } from '../src/verifier/message-verifier';
import { createTestSubnet, FakeCanisterOutbox } from '../tests/support/fake-canister';

const BATCH = 50;
const DISTINCT_BATCHES = 6;
const canisterId = Principal.fromText('bkyz2-fmaaa-aaaaa-qaaaq-cai');
const gateway = Ed25519KeyIdentity.generate().getPrincipal();
const clientKey: ClientKey = { client_principal: Ed25519KeyIdentity.generate().getPrincipal(), client_nonce: 1n };
const subnet = createTestSubnet();

// Distinct certificates per batch, so every batch costs the batched verifier exactly one BLS verification.
const batches: CanisterMessageFrame[][] = [];
for (let b = 0; b < DISTINCT_BATCHES; b++) {
  const outbox = new FakeCanisterOutbox(subnet, canisterId, gateway);
  const keys = [];
  for (let i = 1; i <= BATCH; i++) keys.push(outbox.queueApp(clientKey, BigInt(i), IDL.Text, `message ${i} of batch ${b}`.padEnd(200, '.')));
  batches.push(outbox.batch(keys));
}

const certificateOptions = { rootKey: subnet.rootKey, canisterId, maxAgeMs: 10 * 60_000 };

/** One batch, one certificate verification (the client). */
async function verifyBatched(frames: CanisterMessageFrame[]): Promise<void> {
  const verifier = new MessageVerifier({ certificates: new CertificateVerifier(certificateOptions), clientKey, gatewayPrincipal: gateway });
  for (const frame of frames) await verifier.verify(frame);
}

/** One batch, a certificate verification per message (the naive way). */
async function verifyNaive(frames: CanisterMessageFrame[]): Promise<void> {
  const perMessage = { certifiedData: (cert: Uint8Array) => new CertificateVerifier(certificateOptions).certifiedData(cert) };
  const verifier = new MessageVerifier({ certificates: perMessage as CertificateVerifier, clientKey, gatewayPrincipal: gateway });
  for (const frame of frames) await verifier.verify(frame);
}

/** Runs `fn` over batches for at least `minTimeMs` (after one warm-up batch); reports per message. */
async function measureBatches(fn: (frames: CanisterMessageFrame[]) => Promise<void>, minTimeMs: number): Promise<Measurement> {
  await fn(batches[0]!);
  const samples: number[] = [];
  const start = performance.now();
  let done = 0;
  while (performance.now() - start < minTimeMs || done < 2) {
    const t0 = performance.now();
    await fn(batches[done % batches.length]!);
    samples.push(((performance.now() - t0) * 1000) / BATCH);
    done += 1;
  }
  const elapsedMs = performance.now() - start;
  const iterations = done * BATCH;
  return { opsPerSec: (iterations * 1000) / elapsedMs, meanUs: (elapsedMs * 1000) / iterations, ...percentiles(samples), iterations };
}

const batched = await measureBatches(verifyBatched, 3000);
const naive = await measureBatches(verifyNaive, 6000);
const ratio = batched.opsPerSec / naive.opsPerSec;
report(
  'client-verify',
  [
    { mode: 'one certificate verification per batch (ic-ws-client)', messagesPerSec: Math.round(batched.opsPerSec), ...rounded(batched) },
    { mode: 'certificate verified per message (naive)', messagesPerSec: Math.round(naive.opsPerSec), ...rounded(naive) },
  ],
  { batchSize: BATCH, ratio: Number(ratio.toFixed(1)), target: 20 },
);
console.log(`ratio batched/naive: ${ratio.toFixed(1)}x (target >= 20)`);

function rounded(m: Measurement): Record<string, number> {
  return { meanUs: Math.round(m.meanUs), medianUs: Math.round(m.medianUs), p99Us: Math.round(m.p99Us), messages: m.iterations };
}
