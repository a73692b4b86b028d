/**
 * The chat's frontend for `npm run dev` (`ic-ws-devnet dev --frontend scripts/start-frontend.mjs`): Vite's
 * dev server (live reload), plus `/config.json` with where the page connects, from the running devnet and
 * gateway. Nothing to write by hand.
 */
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';

const CONFIG_FILE = fileURLToPath(new URL('../vite.config.ts', import.meta.url));

/** @type {import('ic-ws-devnet').StartFrontend} */
export async function startFrontend({ host, port, config }) {
  const canisterId = config.canisterIds.chat;
  if (canisterId === undefined) throw new Error('no canister named "chat" is running (see dfx.json)');
  const body = JSON.stringify({ gatewayUrl: config.gatewayUrl, canisterId, networkUrl: config.networkUrl });
  const server = await createServer({
    configFile: CONFIG_FILE,
    logLevel: 'warn',
    clearScreen: false,
    server: { host, port, strictPort: true },
    plugins: [
      {
        name: 'ic-ws-chat-config',
        configureServer(dev) {
          dev.middlewares.use('/config.json', (_request, response) => {
            response.setHeader('content-type', 'application/json');
            response.setHeader('cache-control', 'no-store');
            response.end(body);
          });
        },
      },
    ],
  });
  await server.listen();
  const url = server.resolvedUrls?.local[0];
  if (url === undefined) {
    await server.close();
    throw new Error(`the chat frontend did not report a URL (host ${host}, port ${port})`);
  }
  return { url: url.replace(/\/$/, ''), close: () => server.close() };
}
