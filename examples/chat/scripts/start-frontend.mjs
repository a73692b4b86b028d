/**
 * Serves the chat frontend with Vite's dev server (live reload) and answers `/config.json` with where the
 * page connects. Used by the repository's `pnpm dev` (scripts/dev/start-demo.ts).
 */
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';

const CONFIG_FILE = fileURLToPath(new URL('../vite.config.ts', import.meta.url));

/**
 * Starts the frontend.
 * @param {{ host: string, port: number, config: { gatewayUrl: string, canisterId: string, networkUrl: string } }} options
 *   `port` 0 picks a free port; any other port must be free.
 * @returns {Promise<{ url: string, close(): Promise<void> }>}
 */
export async function startChatFrontend({ host, port, config }) {
  const body = JSON.stringify(config);
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
