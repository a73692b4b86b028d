import { defineConfig } from 'tsup';

export default defineConfig({
  // Three entry points: the runtime-neutral core, the azle binding (`ic-ws-canister/azle`) and the fakes
  // for tests (`ic-ws-canister/testing`).
  entry: { index: 'src/index.ts', azle: 'src/azle/index.ts', testing: 'src/testing/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
});
