/**
 * The cost of one update as the number of retained request statuses grows: two devnets side by side, one
 * holding 100 completed calls' statuses and one 20 000 (what 5 minutes of ~67 calls/s leave behind), each
 * serving real sync (v3) calls of the counter's `increment` over HTTP: envelope checks, execution, status,
 * a new certified round (one BLS signature) and the certificate. Signed envelopes are prepared before the
 * clock starts and the caller verifies nothing, so the time is the devnet's. The sides alternate in batches
 * over several rounds; the ratio per round is printed as min/median/max. Beside it, the previous algorithm's
 * cost per change: rebuilding and rehashing the whole `request_status` subtree.
 */
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { Principal } from '@dfinity/principal';
import { bytesToHex } from '@noble/hashes/utils';
import { labeledForest, reconstruct } from 'ic-ws-protocol';
import { percentiles } from '../../../scripts/bench-kit';
import { Clock } from '../src/scheduling/clock';
import { Subnet } from '../src/scheduling/subnet';
import { startHttpServer, type HttpServerHandle } from '../src/http/http-server';
import { Certifier } from '../src/state/certifier';
import { requestStatusEntry } from '../src/state/state-tree';
import { counterInitArg, NO_ARGS } from '../tests/canisters/counter-fixture';
import { ingressExpiry, signEnvelope } from '../tests/http-test-support';

/** Figures of one side (number of retained statuses). */
export interface RetainedSide {
  retained: number;
  /** Median update cost per round, ms. */
  roundMediansMs: number[];
  medianMs: number;
}

/** The whole comparison. */
export interface RequestStatusFigures {
  sides: RetainedSide[];
  /** Per round: median at the larger count / median at the smaller. */
  ratios: number[];
  ratio: { min: number; median: number; max: number };
  /** The previous algorithm: rebuild and rehash the whole subtree on each change, ms, at each count. */
  rebuildMs: Record<number, number>;
}

interface Side {
  retained: number;
  certifier: Certifier;
  /** The prefilled statuses (hex ids): the measured calls' statuses are dropped after each batch. */
  prefilled: Set<string>;
  server: HttpServerHandle;
  subnet: Subnet;
  canisterId: Principal;
  samples: number[][];
}

function randomId(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(32));
}

async function startSide(wasm: Uint8Array, retained: number): Promise<Side> {
  const clock = new Clock();
  let subnet: Subnet | undefined;
  const certifier = new Certifier({
    state: {
      canisterIds: () => subnet?.canisterIds() ?? [],
      certifiedData: (id) => subnet?.certifiedData(id) ?? new Uint8Array(),
      now: () => clock.now(),
    },
  });
  subnet = new Subnet({ clock, dataCertificate: (id) => certifier.dataCertificate(id) });
  const canisterId = await subnet.install({ wasm, arg: counterInitArg('bench') });
  await subnet.tick();
  // Completed calls as the call handler leaves them, minus the executions (setup, not measured).
  const prefilled = new Set<string>();
  for (let i = 0; i < retained; i++) {
    const requestId = randomId();
    prefilled.add(bytesToHex(requestId));
    certifier.requestStatuses.admit({ requestId, sender: Principal.anonymous(), canisterId, ingressExpiry: clock.now() + 300_000_000_000n });
    certifier.requestStatuses.update(requestId, { status: 'replied', reply: randomId().subarray(0, 8) });
  }
  const server = await startHttpServer({ env: subnet, certifier });
  return { retained, certifier, prefilled, server, subnet, canisterId, samples: [] };
}

async function timeUpdates(side: Side, count: number): Promise<number[]> {
  const identity = Ed25519KeyIdentity.generate();
  const bodies: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    bodies.push(
      await signEnvelope(identity, {
        request_type: 'call',
        canister_id: side.canisterId,
        method_name: 'increment',
        arg: NO_ARGS,
        ingress_expiry: ingressExpiry(240_000),
        nonce: randomId().subarray(0, 16),
      }),
    );
  }
  const url = new URL(`/api/v3/canister/${side.canisterId.toText()}/call`, side.server.url);
  const samples: number[] = [];
  for (const body of bodies) {
    const started = performance.now();
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/cbor' }, body: new Uint8Array(body) });
    await response.arrayBuffer();
    samples.push(performance.now() - started);
    if (response.status !== 200) throw new Error(`bench: update answered ${response.status}`);
  }
  // Back to exactly `retained` statuses for the next batch.
  for (const record of side.certifier.requestStatuses.records()) {
    if (!side.prefilled.has(bytesToHex(record.requestId))) side.certifier.requestStatuses.discard(record.requestId);
  }
  return samples;
}

function rebuildMs(count: number): number {
  const entries = Array.from({ length: count }, () => [randomId(), requestStatusEntry({ status: 'replied', reply: randomId().subarray(0, 8) })] as const);
  const runs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    reconstruct(labeledForest(entries));
    runs.push(performance.now() - started);
  }
  return percentiles(runs).medianUs;
}

const median = (values: readonly number[]): number => percentiles(values).medianUs;

/** Runs the comparison: `rounds` rounds of `perRound` updates per side, sides alternating. */
export async function measureRequestStatusScaling(
  wasm: Uint8Array,
  options: { small: number; large: number; rounds: number; perRound: number },
): Promise<RequestStatusFigures> {
  const sides = [await startSide(wasm, options.small), await startSide(wasm, options.large)];
  try {
    for (const side of sides) await timeUpdates(side, 20); // warm-up: V8 tiers up, the agent path settles
    for (let round = 0; round < options.rounds; round++) {
      const order = round % 2 === 0 ? sides : [...sides].reverse();
      for (const side of order) side.samples.push(await timeUpdates(side, options.perRound));
    }
    const [small, large] = sides as [Side, Side];
    const ratios = small.samples.map((samples, round) => median(large.samples[round] as number[]) / median(samples));
    const sorted = [...ratios].sort((a, b) => a - b);
    return {
      sides: sides.map((side) => ({
        retained: side.retained,
        roundMediansMs: side.samples.map(median),
        medianMs: median(side.samples.flat()),
      })),
      ratios,
      ratio: { min: sorted[0] as number, median: median(sorted), max: sorted.at(-1) as number },
      rebuildMs: { [options.small]: rebuildMs(options.small), [options.large]: rebuildMs(options.large) },
    };
  } finally {
    for (const side of sides) {
      await side.server.close();
      await side.subnet.close();
    }
  }
}
