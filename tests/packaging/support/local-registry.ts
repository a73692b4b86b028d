/**
 * A local npm registry for the packed packages: it serves our tarballs under their published names, and
 * passes every other request on to the public registry, so a project installs with plain npm exactly as it
 * would once our packages are published (`npm_config_registry` points npm here; the project is untouched).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { basename } from 'node:path';
import { promisify } from 'node:util';

const UPSTREAM = 'https://registry.npmjs.org';
const UPSTREAM_ATTEMPTS = 4;
const UPSTREAM_TIMEOUT_MS = 60_000;

/** A running registry. */
export interface LocalRegistry {
  /** Base URL, for `npm_config_registry`. */
  url: string;
  /** How many requests were answered from our tarballs (a test that never hits them proves nothing). */
  served(): Record<string, number>;
  close(): Promise<void>;
}

interface Published {
  packument: Record<string, unknown>;
  tarball: Buffer;
  file: string;
}

async function manifestOf(tarball: string): Promise<Record<string, unknown>> {
  const { stdout } = await promisify(execFile)('tar', ['-xzOf', tarball, 'package/package.json'], { maxBuffer: 4 * 1024 * 1024 });
  return JSON.parse(stdout) as Record<string, unknown>;
}

/**
 * One request to the public registry, tried up to four times: on a loaded machine (or a slow network) a
 * connection can time out, and a 502 from here makes npm give up on the package after its own retries.
 */
async function fetchUpstream(request: IncomingMessage): Promise<{ status: number; contentType: string; body: Buffer }> {
  const url = `${UPSTREAM}${request.url ?? '/'}`;
  for (let attempt = 1; ; attempt++) {
    try {
      const upstream = await fetch(url, {
        method: request.method ?? 'GET',
        headers: { accept: request.headers.accept ?? '*/*', 'user-agent': request.headers['user-agent'] ?? 'ic-ws-local-registry' },
        signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS),
      });
      if (upstream.status >= 500 && attempt < UPSTREAM_ATTEMPTS) throw new Error(`HTTP ${upstream.status}`);
      return { status: upstream.status, contentType: upstream.headers.get('content-type') ?? 'application/octet-stream', body: Buffer.from(await upstream.arrayBuffer()) };
    } catch (error) {
      if (attempt >= UPSTREAM_ATTEMPTS) throw new Error(`${url}: ${attempt} attempts failed, the last with ${String(error)}`, { cause: error });
      process.stderr.write(`local registry: ${url} attempt ${attempt} failed (${String(error)}), retrying\n`);
      await new Promise((resolve) => setTimeout(resolve, 1000 * attempt));
    }
  }
}

/** Starts the registry on a free loopback port, serving `tarballs` (path by package name). */
export async function startLocalRegistry(tarballs: Record<string, string>): Promise<LocalRegistry> {
  const ours = new Map<string, Published>();
  const hits: Record<string, number> = {};
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      process.stderr.write(`local registry: ${String(error)}\n`);
      if (!response.headersSent) response.writeHead(502, { 'content-type': 'text/plain' });
      response.end(`local registry: ${String(error)}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

  for (const [name, path] of Object.entries(tarballs)) {
    const manifest = await manifestOf(path);
    const tarball = await readFile(path);
    const file = basename(path);
    const version = String(manifest.version);
    const integrity = `sha512-${createHash('sha512').update(tarball).digest('base64')}`;
    const shasum = createHash('sha1').update(tarball).digest('hex');
    ours.set(name, {
      tarball,
      file,
      packument: {
        name,
        'dist-tags': { latest: version },
        versions: { [version]: { ...manifest, _id: `${name}@${version}`, dist: { tarball: `${url}/${name}/-/${file}`, integrity, shasum } } },
      },
    });
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = decodeURIComponent((request.url ?? '/').split('?')[0]!);
    const [name, dash, file] = path.slice(1).split('/');
    const published = name === undefined ? undefined : ours.get(name);
    if (published !== undefined && request.method === 'GET') {
      hits[name!] = (hits[name!] ?? 0) + 1;
      if (dash === undefined) {
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(published.packument));
        return;
      }
      if (dash === '-' && file === published.file) {
        response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': published.tarball.length }).end(published.tarball);
        return;
      }
      response.writeHead(404).end();
      return;
    }
    // Everything else: the public registry, as npm would have asked it.
    const upstream = await fetchUpstream(request);
    response.writeHead(upstream.status, { 'content-type': upstream.contentType, 'content-length': upstream.body.length }).end(upstream.body);
  }

  return {
    url,
    served: () => ({ ...hits }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
