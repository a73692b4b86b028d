import { buildCounter } from '/work/main/packages/devnet/tests/canisters/counter-fixture';
const t = performance.now(); const b = await buildCounter(); console.log(b.wasmPath, b.cached, b.wasm.length, performance.now() - t);
