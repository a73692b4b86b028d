import { it, expect } from 'vitest';
import { buildWsTestCanister } from './support/ws-test-canister';
it('builds', async () => {
  const b = await buildWsTestCanister();
  console.log(b.wasmPath, b.didPath, b.cached, b.wasm.length);
  expect(b.wasm.length).toBeGreaterThan(0);
}, 300_000);
