import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const repo = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

/**
 * The frontend lives in src/frontend. In this monorepo ic-ws-client and ic-ws-protocol are taken from
 * source (no build needed); an app of your own drops `resolve.alias` and depends on the published packages.
 * `/config.json` (gateway URL, canister id, network URL) is served by `pnpm dev` (scripts/start-frontend.mjs);
 * for a deployed build, put a config.json into `src/frontend/public/`.
 */
export default defineConfig({
  root: fileURLToPath(new URL('./src/frontend', import.meta.url)),
  resolve: {
    alias: [
      { find: /^ic-ws-client$/, replacement: repo('packages/client/src/index.ts') },
      { find: /^ic-ws-protocol$/, replacement: repo('packages/protocol/src/index.ts') },
    ],
  },
  // Pre-bundle the @dfinity packages up front: discovering them on the first page load would make Vite
  // reload the page mid-connection.
  optimizeDeps: {
    include: ['@dfinity/agent', '@dfinity/candid', '@dfinity/identity', '@dfinity/principal'],
  },
  // Compile the page's module graph (the client and protocol sources) at start, not on the first visit.
  server: { warmup: { clientFiles: ['./main.ts'] } },
  build: { outDir: fileURLToPath(new URL('./dist', import.meta.url)), emptyOutDir: true, target: 'es2022' },
});
