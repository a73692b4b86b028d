import { defineConfig } from 'tsup';

// cborg is bundled into both builds: it ships ESM only (so `require('ic-ws-protocol')` needs it inlined),
// and inlining keeps the runtime guard in src/cbor/cborg-options.ts evaluated before cborg's own module
// code, which an external (hoisted) `import 'cborg'` would not.
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  noExternal: ['cborg'],
});
