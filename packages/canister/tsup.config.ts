import { defineConfig } from 'tsup';

export default defineConfig({
  // Two entry points: the runtime-neutral core, and the azle binding (`ic-ws-canister/azle`).
  entry: { index: 'src/index.ts', azle: 'src/azle/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
});
