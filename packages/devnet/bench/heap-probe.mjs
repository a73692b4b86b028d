// Preloaded into the devnet process by `soak.bench.ts --probe`: every 10 s, a full GC, then one JSON line on
// stderr with the live heap and what the process holds, so a leak (live heap growing) can be told apart from
// memory the runtime keeps (RSS growing while the live heap does not). `external` includes the canisters'
// wasm memories (and array buffers, also given alone); `code` is V8's code spaces (compiled JS and wasm).
import { getHeapSpaceStatistics } from 'node:v8';

const gc = globalThis.gc;
if (typeof gc !== 'function') throw new Error('heap-probe needs --expose-gc');
setInterval(() => {
  gc();
  const m = process.memoryUsage();
  const code = getHeapSpaceStatistics()
    .filter((space) => space.space_name.startsWith('code'))
    .reduce((sum, space) => sum + space.space_used_size, 0);
  const line = { heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers, code, rss: m.rss };
  process.stderr.write(`heap-probe ${JSON.stringify(line)}\n`);
}, 10_000).unref();
