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

/** Starts the registry on a free loopback port, serving `tarballs` (path by package name). */
export async function startLocalRegistry(tarballs: Record<string, string>): Promise<LocalRegistry> {
  const ours = new Map<string, Published>();
  const hits: Record<string, number> = {};
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
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
    const upstream = await fetch(`${UPSTREAM}${request.url ?? '/'}`, {
      method: request.method ?? 'GET',
      headers: { accept: request.headers.accept ?? '*/*', 'user-agent': request.headers['user-agent'] ?? 'ic-ws-local-registry' },
    });
    const body = Buffer.from(await upstream.arrayBuffer());
    response.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/octet-stream', 'content-length': body.length }).end(body);
  }

  return {
    url,
    served: () => ({ ...hits }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
