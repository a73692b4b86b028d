import { readFileSync } from 'node:fs';
import { patchWasmExports } from '../src/execution/wasm-patch';
import { instrumentMemoryWrites } from '../src/execution/memory-write-instrumentation';
const wasm = readFileSync('tests/canisters/counter/.azle/ic-ws-cache/counter-66164a0c62709bc9.wasm');
for (let i = 0; i < 3; i++) {
const t0 = performance.now();
const p = patchWasmExports(new Uint8Array(wasm));
const t1 = performance.now();
const r = instrumentMemoryWrites(p.wasm);
const t2 = performance.now();
const m = new WebAssembly.Module(r.wasm);
const t3 = performance.now();
console.log({ patch: t1 - t0, instr: t2 - t1, compile: t3 - t2, sites: r.writeSites, before: p.wasm.length, after: r.wasm.length });
}
const m0 = performance.now(); new WebAssembly.Module(patchWasmExports(new Uint8Array(wasm)).wasm); console.log('plain compile', performance.now()-m0);
