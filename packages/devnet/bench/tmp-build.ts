import { buildCounter } from '../tests/canisters/counter-fixture';
import { measureInProcess } from './in-process-bench';
const { wasm } = await buildCounter();
console.table(await measureInProcess(wasm, (process.argv[2] ?? 'full-copy,dirty-pages').split(',') as any, { updates: 200, rounds: 3, bigHeapBytes: 16 * 1024 * 1024 }));
