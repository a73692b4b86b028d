import { createServer, type Server } from 'node:http';
import { build } from 'esbuild';

/** A page served on loopback: its URL, and the server to close. */
export interface ServedPage {
  server: Server;
  /** `http://127.0.0.1:<port>/`: an HTML page loading `/page.js` as a module. */
  url: string;
}

/**
 * Bundles `entry` (the page script) the way an app's bundler would: browser platform, ESM with code splitting
 * (so the WebAssembly BLS verifier is a chunk of its own, loaded on demand as in an app), `alias` mapping
 * workspace packages to their sources. Returns each output file by its path under the server's root
 * (`/page.js` and its chunks).
 */
export async function bundlePage(entry: string, alias: Record<string, string>): Promise<Map<string, string>> {
  const result = await build({
    entryPoints: { page: entry },
    bundle: true,
    splitting: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    outdir: '/',
    write: false,
    logLevel: 'silent',
    alias,
  });
  return new Map(result.outputFiles.map((file) => [file.path, file.text]));
}

/** Serves `files` (from {@link bundlePage}) on 127.0.0.1, port 0, under an HTML page titled `title` at `/`. */
export async function servePage(files: Map<string, string>, title: string): Promise<ServedPage> {
  const server = createServer((request, response) => {
    const script = files.get(request.url ?? '');
    if (script !== undefined) {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    } else if (request.url === '/') {
      response.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><title>${title}</title><script type="module" src="/page.js"></script>`);
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/` };
}
