/**
 * SHA-256 inside an Azle canister: the library's own (src/sha256.ts + src/sha256-compress.ts, written for the
 * interpreter) against @noble/hashes (support/noble-sha256.ts, used as ic-ws-protocol uses it), in
 * instructions as the devnet meters them (the replica's costs; counts do not depend on the machine's load):
 *
 * 1. Per hash, on the bench/sha256 canister: a query hashing `TIMES` distinct inputs, minus the same query
 *    hashing none; inputs of 1015 bytes (16 blocks once padded: the cost per 64-byte block) and of 55 bytes
 *    (one block: a whole small hash, set-up and digest included).
 * 2. In the library: the ws-test canister built twice from this checkout, once with noble-sha256.ts in place
 *    of src/sha256.ts (support/variant-canister.ts), measured as canister.bench.ts measures it (side-by-side.ts):
 *    a 50-message and a 1-message `ws_get_messages`, one `send`, and `send_many` per message queued, on fresh
 *    canisters at each queue size.
 *
 * Each round measures both sides (the first alternates); printed: both sides' medians and the ratio noble /
 * ours per round (how many times the instructions noble takes), min/median/max.
 *
 *   pnpm bench   (tsx bench/sha256.bench.ts; BENCH_QUEUE_SIZES=50,1000 BENCH_ROUNDS=5 as canister.bench.ts)
 */
import { fileURLToPath } from 'node:url';
import { readFile } from 'node:fs/promises';
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { buildAzleCanister, startDevnet, type Devnet } from 'ic-ws-devnet';
import { report, spread } from '../../../scripts/bench-kit';
import { buildWsTestCanister } from '../tests/support/ws-test-canister';
import { measureAtQueueSize, POLL, type RoundCost, type Side } from './side-by-side';
import { buildNobleSha256WsTest } from './support/variant-canister';

const QUEUE_SIZES = (process.env.BENCH_QUEUE_SIZES ?? '50,1000').split(',').map(Number);
const ROUNDS = Math.max(5, Number(process.env.BENCH_ROUNDS ?? 5));
const TIMES = 20;
const COMPRESSED_BLOCKS = 320;
const IMPLEMENTATIONS = ['noble', 'ours'] as const;
type Implementation = (typeof IMPLEMENTATIONS)[number];
const INPUTS = [
  { metric: 'per 64-byte block (1015-byte inputs)', length: 1015, blocks: 16 },
  { metric: 'per one-block hash (55-byte inputs)', length: 55, blocks: 1 },
];
const METRICS = ['poll50', 'poll1', 'send', 'fillPerMessage'] as const;

// A type (not an interface) so it is a Record for report(). `ratio` = `other` / `ours` per round.
type Row = {
  metric: string;
  other: string;
  'other instructions': number;
  'ours instructions': number;
  'ratio min': number;
  'ratio median': number;
  'ratio max': number;
};

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function row(metric: string, other: string, others: number[], ours: number[]): Row {
  const { min, median, max } = spread(others.map((value, i) => value / (ours[i] as number)));
  return {
    metric,
    other,
    'other instructions': spread(others).median,
    'ours instructions': spread(ours).median,
    'ratio min': round3(min),
    'ratio median': round3(median),
    'ratio max': round3(max),
  };
}

async function instructions(devnet: Devnet, canisterId: Principal, method: string, types: IDL.Type[], args: unknown[]): Promise<number> {
  const arg = new Uint8Array(IDL.encode(types, args));
  const outcome = await devnet.query({ canisterId, methodName: method, arg, caller: Principal.anonymous() });
  if (outcome.status !== 'replied') throw new Error(`${method} ${String(args[0])}: ${outcome.rejectMessage}`);
  if (outcome.cost === undefined) throw new Error('the devnet reported no instruction count (metering off?)');
  return Number(outcome.cost.instructions);
}

/**
 * Part 1 on the bench/sha256 canister: per implementation and round, the instructions per block and per small
 * hash (noble vs ours), and per block of the compression alone (the rounds in loops vs written out).
 */
async function measurePerHash(devnet: Devnet): Promise<Row[]> {
  const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
  const built = await buildAzleCanister({
    dfxJsonDir: here('./sha256'),
    name: 'sha256',
    extraInputs: [here('../src'), here('./support'), here('../scripts')],
  });
  const canisterId = await devnet.install({ wasm: new Uint8Array(await readFile(built.wasmPath)) });
  await devnet.tick();
  const hash = (implementation: string, length: number, times: number) =>
    instructions(devnet, canisterId, 'hash', [IDL.Text, IDL.Nat32, IDL.Nat32], [implementation, length, times]);
  const compress = (form: string, blocks: number) => instructions(devnet, canisterId, 'compress', [IDL.Text, IDL.Nat32], [form, blocks]);
  const rows: Row[] = [];
  for (const { metric, length, blocks } of INPUTS) {
    const per: Record<Implementation, number[]> = { noble: [], ours: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const implementation of round % 2 === 0 ? IMPLEMENTATIONS : [...IMPLEMENTATIONS].reverse()) {
        const hashing = await hash(implementation, length, TIMES);
        per[implementation].push(Math.round((hashing - (await hash(implementation, length, 0))) / (TIMES * blocks)));
      }
    }
    rows.push(row(metric, 'noble', per.noble, per.ours));
  }
  const forms = ['loop', 'written-out'] as const;
  const perForm: Record<(typeof forms)[number], number[]> = { loop: [], 'written-out': [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const form of round % 2 === 0 ? forms : [...forms].reverse()) {
      perForm[form].push(Math.round(((await compress(form, COMPRESSED_BLOCKS)) - (await compress(form, 0))) / COMPRESSED_BLOCKS));
    }
  }
  rows.push(row('compression alone, per block (ours: rounds written out)', 'rounds in loops', perForm.loop, perForm['written-out']));
  return rows;
}

/** Part 2: the ws-test canister over each implementation. */
async function measureInLibrary(devnet: Devnet): Promise<{ rows: Row[]; costs: RoundCost[] }> {
  const sides: Side[] = [
    { name: 'noble', wasm: await buildNobleSha256WsTest() },
    { name: 'ours', wasm: (await buildWsTestCanister()).wasm },
  ];
  const costs: RoundCost[] = [];
  for (const queued of QUEUE_SIZES) {
    if (queued < POLL) throw new Error(`queue sizes must be at least ${POLL}`);
    costs.push(...(await measureAtQueueSize(devnet, sides, queued, ROUNDS)));
  }
  const rows = QUEUE_SIZES.flatMap((queued) =>
    METRICS.map((metric) => {
      const of = (side: string) => costs.filter((c) => c.queued === queued && c.side === side).map((c) => c[metric]);
      return row(`${metric} at ${queued} queued`, 'noble', of('noble'), of('ours'));
    }),
  );
  return { rows, costs };
}

const devnet = await startDevnet({ time: 'manual' });
try {
  const perHash = await measurePerHash(devnet);
  const inLibrary = await measureInLibrary(devnet);
  report('canister-sha256', [...perHash, ...inLibrary.rows], { rounds: ROUNDS, times: TIMES, costs: inLibrary.costs });
  console.log('ratio = other / ours: how many times the instructions the other side takes, side by side in one devnet');
} finally {
  await devnet.close();
}
