// Preloaded into the devnet process by `soak.bench.ts --probe`: every 10 s, a full GC, then one JSON line on
// stderr with the live heap and what the process holds, so a leak (live heap growing) can be told apart from
// memory the runtime keeps (RSS growing while the live heap does not).
const gc = globalThis.gc;
if (typeof gc !== 'function') throw new Error('heap-probe needs --expose-gc');
setInterval(() => {
  gc();
  const m = process.memoryUsage();
  process.stderr.write(`heap-probe ${JSON.stringify({ heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, rss: m.rss })}\n`);
}, 10_000).unref();
