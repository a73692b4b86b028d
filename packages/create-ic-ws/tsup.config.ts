import { defineConfig } from 'tsup';

// A CLI only: one ESM bundle, no declarations (nothing imports this package).
export default defineConfig({
  entry: ['src/cli.ts'],
  format: ['esm'],
  dts: false,
  sourcemap: true,
  clean: true,
  target: 'es2022',
});
