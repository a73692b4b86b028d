import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The frontend lives in src/frontend. `/config.json` (gateway URL, canister id, network URL) is served by
 * `npm run dev` (scripts/start-frontend.mjs); for a deployed build, put a config.json next to index.html
 * (in `src/frontend/public/` before `npm run build`).
 */
export default defineConfig({
  root: fileURLToPath(new URL('./src/frontend', import.meta.url)),
  // Pre-bundle the @dfinity packages up front: discovering them on the first page load would make Vite
  // reload the page mid-connection.
  optimizeDeps: {
    include: ['@dfinity/agent', '@dfinity/candid', '@dfinity/identity', '@dfinity/principal'],
  },
  server: { warmup: { clientFiles: ['./main.ts'] } },
  build: { outDir: fileURLToPath(new URL('./dist', import.meta.url)), emptyOutDir: true, target: 'es2022' },
});
