/**
 * Verified canister messages per second and per-message verification latency, batches of 50 sharing one
 * certificate (as one `ws_get_messages` reply does): the client's way (one certificate verification per
 * batch, the rest served from its certificate cache) beside the naive way of the public stack (the
 * certificate verified again for every message), in the same run, with the client's default BLS verifier.
 * The two modes alternate batch by batch (which goes first alternates per round) over several rounds, so both
 * see the same machine; each message's verification is timed, for a p50 and p99 over thousands of messages.
 * Printed: the ratio batched / naive of messages per second, per round and as min / median / max.
 * Target: ratio >= 20.
 *
 *   npx tsx bench/verify.bench.ts [--rounds 5] [--batches 6]
 */
import { parseArgs } from 'node:util';
import { IDL } from '@dfinity/candid';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { Principal } from '@dfinity/principal';
import type { CanisterMessageFrame, ClientKey } from 'ic-ws-protocol';
import { percentiles, report, spread } from '../../../scripts/bench-kit';
import { loadBlsVerifier } from '../src/verifier/bls/load-bls-verifier';
import { CertificateVerifier } from '../src/verifier/certificate-verifier';
import { MessageVerifier } from '../src/verifier/message-verifier';
import { createTestSubnet, FakeCanisterOutbox } from '../tests/support/fake-canister';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, batches: { type: 'string', default: '6' } } });
const ROUNDS = Math.max(5, Number(values.rounds));
const BATCHES_PER_ROUND = Math.max(1, Number(values.batches));
const BATCH = 50;
const MODES = ['batched', 'naive'] as const;
type Mode = (typeof MODES)[number];

const canisterId = Principal.fromText('bkyz2-fmaaa-aaaaa-qaaaq-cai');
const gateway = Ed25519KeyIdentity.generate().getPrincipal();
const clientKey: ClientKey = { client_principal: Ed25519KeyIdentity.generate().getPrincipal(), client_nonce: 1n };
const subnet = createTestSubnet();
const bls = await loadBlsVerifier('auto');

/** A batch with a certificate of its own, so every batch costs the batched mode one BLS verification. */
function makeBatch(index: number): CanisterMessageFrame[] {
  const outbox = new FakeCanisterOutbox(subnet, canisterId, gateway);
  const keys = [];
  for (let i = 1; i <= BATCH; i++) keys.push(outbox.queueApp(clientKey, BigInt(i), IDL.Text, `message ${i} of batch ${index}`.padEnd(200, '.')));
  return outbox.batch(keys);
}

const certificateOptions = { rootKey: subnet.rootKey, canisterId, maxAgeMs: 60 * 60_000, bls };

/** The session's verifier for one mode: one certificate verifier per batch (the client's), or per message. */
function sessionVerifier(mode: Mode): MessageVerifier {
  const certificates =
    mode === 'batched'
      ? new CertificateVerifier(certificateOptions)
      : ({ certifiedData: (cert: Uint8Array) => new CertificateVerifier(certificateOptions).certifiedData(cert) } as CertificateVerifier);
  return new MessageVerifier({ certificates, clientKey, gatewayPrincipal: gateway });
}

/** Verifies one batch, timing each message; returns the per-message latencies in µs. */
async function runBatch(mode: Mode, frames: CanisterMessageFrame[]): Promise<number[]> {
  const verifier = sessionVerifier(mode);
  const latencies: number[] = [];
  for (const frame of frames) {
    const t0 = performance.now();
    await verifier.verify(frame);
    latencies.push((performance.now() - t0) * 1000);
  }
  return latencies;
}

// Warm-up, then the rounds. Batches are made before the clock starts; each mode gets a fresh one.
for (const mode of MODES) await runBatch(mode, makeBatch(-1));
const all: Record<Mode, number[]> = { batched: [], naive: [] };
const ratios: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const perRound: Record<Mode, { ms: number; messages: number }> = { batched: { ms: 0, messages: 0 }, naive: { ms: 0, messages: 0 } };
  for (let b = 0; b < BATCHES_PER_ROUND; b++) {
    const order = (b + round) % 2 === 0 ? MODES : ([...MODES].reverse() as Mode[]);
    const batches = { batched: makeBatch(round * 100 + b), naive: makeBatch(round * 100 + b + 50) };
    for (const mode of order) {
      const latencies = await runBatch(mode, batches[mode]);
      all[mode].push(...latencies);
      perRound[mode].ms += latencies.reduce((a, c) => a + c, 0) / 1000;
      perRound[mode].messages += latencies.length;
    }
  }
  const rate = (mode: Mode) => (perRound[mode].messages * 1000) / perRound[mode].ms;
  ratios.push(rate('batched') / rate('naive'));
  console.log(`round ${round + 1}/${ROUNDS}: batched ${Math.round(rate('batched'))}/s, naive ${Math.round(rate('naive'))}/s, ratio ${(rate('batched') / rate('naive')).toFixed(1)}`);
}

function row(mode: Mode, description: string) {
  const { medianUs, p99Us } = percentiles(all[mode]);
  const totalMs = all[mode].reduce((a, c) => a + c, 0) / 1000;
  return { mode: description, messagesPerSec: Math.round((all[mode].length * 1000) / totalMs), p50Us: Math.round(medianUs), p99Us: Math.round(p99Us), messages: all[mode].length };
}

const ratio = spread(ratios);
report('client-verify', [row('batched', 'one certificate verification per batch (ic-ws-client)'), row('naive', 'certificate verified per message (naive)')], {
  batchSize: BATCH,
  blsVerifier: bls.kind,
  rounds: ROUNDS,
  batchesPerRoundPerMode: BATCHES_PER_ROUND,
  ratios,
  ratio: { min: Number(ratio.min.toFixed(1)), median: Number(ratio.median.toFixed(1)), max: Number(ratio.max.toFixed(1)) },
  target: 20,
});
console.log(`ratio batched/naive (BLS verifier: ${bls.kind}): min ${ratio.min.toFixed(1)} median ${ratio.median.toFixed(1)} max ${ratio.max.toFixed(1)} (target >= 20)`);
