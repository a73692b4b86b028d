/**
 * What the canister's WebSocket methods cost, in instructions as the devnet meters them (the replica's
 * costs: instruction counts do not depend on the machine's load):
 *
 * 1. Side by side with the library at the baseline commit (bench/side-by-side.ts,
 *    bench/support/baseline-canister.ts): a 50-message and a 1-message `ws_get_messages`, one `send`, and
 *    the per-message cost of filling the queue with `send_many`, at each queue size on fresh canisters, over
 *    ROUNDS rounds; ratios current/baseline as min/median/max. The current side must stay flat as the queue
 *    grows (O(log n)): its largest queue's 50-message poll within 3x of the smallest's.
 * 2. What `ws_open`, `ws_message` and `ws_get_messages` of 1 and 50 messages cost on a replica, in
 *    instructions and cycles, also as multiples of an empty update (message-costs.ts).
 *
 *   pnpm bench   (tsx bench/canister.bench.ts; BENCH_QUEUE_SIZES=50,1000,10000 BENCH_ROUNDS=7 to change)
 *
 * bench/README.md says what each side does.
 */
import { startDevnet } from 'ic-ws-devnet';
import { report, spread } from '../../../scripts/bench-kit';
import { buildWsTestCanister } from '../tests/support/ws-test-canister';
import { measureMessageCosts } from './message-costs';
import { measureSteadyStateCosts } from './steady-state-costs';
import { measureAtQueueSize, POLL, type RoundCost, type Side } from './side-by-side';
import { BASELINE_COMMIT, buildBaselineWsTest } from './support/baseline-canister';

const QUEUE_SIZES = (process.env.BENCH_QUEUE_SIZES ?? '50,1000').split(',').map(Number);
const ROUNDS = Math.max(5, Number(process.env.BENCH_ROUNDS ?? 5));
const METRICS = ['poll50', 'poll1', 'send', 'fillPerMessage'] as const;

const sides: Side[] = [
  { name: 'baseline', wasm: await buildBaselineWsTest() },
  { name: 'current', wasm: (await buildWsTestCanister()).wasm },
];
const devnet = await startDevnet({ time: 'manual' });
const costs: RoundCost[] = [];
try {
  for (const queued of QUEUE_SIZES) {
    if (queued < POLL) throw new Error(`queue sizes must be at least ${POLL}`);
    costs.push(...(await measureAtQueueSize(devnet, sides, queued, ROUNDS)));
  }
} finally {
  await devnet.close();
}

// Per queue size and metric: both sides' median instructions and the spread of the per-round ratios.
const rows = QUEUE_SIZES.flatMap((queued) =>
  METRICS.map((metric) => {
    const of = (side: Side['name']) => costs.filter((c) => c.queued === queued && c.side === side);
    const [baseline, current] = [of('baseline'), of('current')];
    const ratios = current.map((c, i) => c[metric] / (baseline[i] as RoundCost)[metric]);
    const median = (list: RoundCost[]) => spread(list.map((c) => c[metric])).median;
    const { min, median: med, max } = spread(ratios);
    return {
      queued,
      metric,
      baseline: median(baseline),
      current: median(current),
      'ratio min': round(min),
      'ratio median': round(med),
      'ratio max': round(max),
    };
  }),
);
function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

const polls = rows.filter((row) => row.metric === 'poll50');
const flatness = (polls.at(-1)?.current ?? NaN) / (polls[0]?.current ?? NaN);
report('canister-side-by-side', rows, { baselineCommit: BASELINE_COMMIT, rounds: ROUNDS, costs, flatness: { poll50LargestVsSmallest: round(flatness), limit: 3 } });
console.log(`current 50-message poll at ${QUEUE_SIZES.at(-1)} queued vs ${QUEUE_SIZES[0]}: ${round(flatness)}x (limit 3x)`);

const messageCosts = await measureMessageCosts();
report(
  'canister-instructions',
  messageCosts.map((cost) => ({ ...cost, instructions: cost.instructions.toString(), cycles: cost.cycles.toString() })),
);
report('canister-steady-state', (await measureSteadyStateCosts()).map((row) => ({ ...row })));
if (!(flatness <= 3)) {
  console.error(`the 50-message poll grew ${round(flatness)}x with the queue (limit 3x)`);
  process.exitCode = 1;
}
