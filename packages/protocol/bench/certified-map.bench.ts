/**
 * CertifiedMap cost at 10, 1 000 and 100 000 keys: insert and delete at a steady size, and witnesses for one
 * key and for 50 contiguous keys. Run from packages/protocol: `npx tsx bench/certified-map.bench.ts`.
 *
 * Every update rehashes one root-to-node path, so the 100 000-key insert/delete cost must stay within 6x of
 * the 10-key cost (the script exits 1 otherwise). The sizes are measured batch by batch in turn (10 keys,
 * 1 000, 100 000, again), so load from other processes on these noisy machines hits all sizes alike instead
 * of skewing the ratio; the ratio uses the median batch, which GC pauses and preemption (see p99Us) do not
 * move.
 */
import { sha256 } from '@noble/hashes/sha256';
import { percentiles, report } from '../../../scripts/bench-kit';
import { CertifiedMap } from '../src/hash-tree/certified-map';
import { encodeHashTree, labeled } from '../src/index';

const SIZES = [10, 1_000, 100_000] as const;
const BATCHES = 150;
const BATCH_SIZE = 40;
const MAX_RATIO = 6;
const GATEWAY = 'i3gux-m3hwt-5mh2w-t7wwm-fwx5j-6z6ht-hxguo-t4rfw-qp24z-g5ivt-2qe';

/** Message keys as the canister makes them: `<gateway principal>_<20-digit nonce>`. */
const keyOf = (nonce: number): string => `${GATEWAY}_${String(nonce).padStart(20, '0')}`;
const VALUES = Array.from({ length: 64 }, (_, i) => sha256(Uint8Array.of(i)));
const valueOf = (i: number): Uint8Array => VALUES[i % VALUES.length] as Uint8Array;

/** One map under test, with its queue window [head, tail) of live nonces. */
interface Subject {
  n: number;
  map: CertifiedMap;
  head: number;
  tail: number;
  seed: number;
}

function subject(n: number): Subject {
  const map = new CertifiedMap();
  for (let i = 0; i < n; i++) map.set(keyOf(i), valueOf(i));
  map.rootHash();
  return { n, map, head: 0, tail: n, seed: 12345 + n };
}

/** A live nonce picked pseudo-randomly (deterministic across runs). */
function randomLive(s: Subject): number {
  s.seed = (Math.imul(s.seed, 1103515245) + 12345) >>> 0;
  return s.head + (s.seed % s.n);
}

// 50 contiguous message keys from a random live one; on the 10-key map most of them are beyond the last key,
// so that witness also proves them absent, as a gateway polling past the end of the queue would ask.
const WITNESS_SPAN = 50;
function contiguousKeys(s: Subject): string[] {
  const from = s.head + ((randomLive(s) - s.head) % Math.max(1, s.n - WITNESS_SPAN + 1));
  return Array.from({ length: WITNESS_SPAN }, (_, j) => keyOf(from + j));
}

// Each update is followed by rootHash(), as a canister sets its certified data: the map hashes lazily, so
// an update alone would only mark its path.
const OPS: { op: string; calls: number; run: (s: Subject) => unknown }[] = [
  {
    // Queue traffic: a new message at the tail, the oldest removed; the size stays n. Per call = half a pair.
    op: 'insert tail + delete head (per call, with rootHash)',
    calls: 2,
    run: (s) => {
      s.map.set(keyOf(s.tail), valueOf(s.tail));
      s.tail++;
      s.map.rootHash();
      s.map.delete(keyOf(s.head));
      s.head++;
      return s.map.rootHash();
    },
  },
  {
    op: 'delete + re-insert random key (per call, with rootHash)',
    calls: 2,
    run: (s) => {
      const nonce = randomLive(s);
      s.map.delete(keyOf(nonce));
      s.map.rootHash();
      s.map.set(keyOf(nonce), valueOf(nonce));
      return s.map.rootHash();
    },
  },
  { op: 'witness, 1 key', calls: 1, run: (s) => s.map.witness([keyOf(randomLive(s))]) },
  { op: 'witness, 50 contiguous keys', calls: 1, run: (s) => s.map.witness(contiguousKeys(s)) },
  {
    op: 'witness, 50 contiguous keys + labeled + CBOR',
    calls: 1,
    run: (s) => encodeHashTree(labeled('websocket', s.map.witness(contiguousKeys(s)))),
  },
];

/** Per-call cost of `BATCHES` batches of `run` on each subject, the subjects taking turns batch by batch. */
function interleaved(subjects: readonly Subject[], run: (s: Subject) => unknown, calls: number): Map<number, number[]> {
  const samples = new Map<number, number[]>(subjects.map((s) => [s.n, []]));
  for (const s of subjects) for (let i = 0; i < 50; i++) run(s); // warm-up
  for (let batch = 0; batch < BATCHES; batch++) {
    for (const s of subjects) {
      const t0 = performance.now();
      for (let i = 0; i < BATCH_SIZE; i++) run(s);
      samples.get(s.n)?.push(((performance.now() - t0) * 1000) / (BATCH_SIZE * calls));
    }
  }
  return samples;
}

const subjects = SIZES.map(subject);
const rows: Record<string, unknown>[] = [];
const ratio100kTo10: Record<string, number> = {};
for (const { op, calls, run } of OPS) {
  const samples = interleaved(subjects, run, calls);
  const medianOf = new Map<number, number>();
  for (const s of subjects) {
    const perCall = samples.get(s.n) ?? [];
    const { medianUs, p99Us } = percentiles(perCall);
    const meanUs = perCall.reduce((a, b) => a + b, 0) / perCall.length;
    medianOf.set(s.n, medianUs);
    const round = (us: number): number => Number(us.toFixed(3));
    rows.push({ op, keys: s.n, meanUs: round(meanUs), medianUs: round(medianUs), p99Us: round(p99Us), opsPerSec: Math.round(1e6 / meanUs) });
    if (s.map.size !== s.n) throw new Error(`map size drifted to ${s.map.size}`);
  }
  ratio100kTo10[op] = Number(((medianOf.get(100_000) as number) / (medianOf.get(10) as number)).toFixed(2));
}

report('certified-map', rows, { ratio100kTo10, maxAllowedUpdateRatio: MAX_RATIO, batches: BATCHES, batchSize: BATCH_SIZE });
console.log('\n100 000 keys vs 10 keys, median cost per call:');
for (const [op, ratio] of Object.entries(ratio100kTo10)) console.log(`  ${ratio.toFixed(2)}x  ${op}`);
// The gate covers what the canister pays: O(log n) hashing per insert/delete, and the witness of one poll
// batch (50 contiguous keys). The one-key witness is printed, not gated: it does so little per level that
// its ratio follows the treap's expected depth (2 ln n: about 23 levels at 100 000 keys against 4.6 at 10,
// itself ~5x) plus cache misses along a path the 10-key map keeps in L1.
const gated = Object.entries(ratio100kTo10).filter(([op]) => !op.startsWith('witness, 1 key'));
const worst = Math.max(...gated.map(([, ratio]) => ratio));
console.log(
  worst <= MAX_RATIO
    ? `OK: insert, delete and batch witness within ${MAX_RATIO}x (worst ${worst}x)`
    : `FAIL: ${worst}x > ${MAX_RATIO}x`,
);
if (worst > MAX_RATIO) process.exitCode = 1;
