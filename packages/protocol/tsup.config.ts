import { defineConfig } from 'tsup';

// cborg ships ESM only: the CJS build bundles it so `require('ic-ws-protocol')` works on every Node 20.
export default defineConfig([
  { entry: ['src/index.ts'], format: ['esm'], dts: true, sourcemap: true, clean: true, target: 'es2022' },
  { entry: ['src/index.ts'], format: ['cjs'], dts: true, sourcemap: true, target: 'es2022', noExternal: ['cborg'] },
]);
