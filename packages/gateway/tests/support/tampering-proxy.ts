import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Changes an answer of the IC on its way to the gateway: gets the request path, status and body. */
export type Tamper = (path: string, status: number, body: Uint8Array) => Uint8Array;

/** A loopback HTTP proxy in front of `target` whose answers go through `tamper` (to test the gateway's checks). */
export interface TamperingProxy {
  url: string;
  close(): Promise<void>;
}

export async function startTamperingProxy(target: string, tamper: Tamper): Promise<TamperingProxy> {
  const server = createServer((req, res) => {
    void readBody(req).then(async (body) => {
      const upstream = await fetch(new URL(req.url!, target), {
        method: req.method,
        headers: { 'content-type': req.headers['content-type'] ?? 'application/cbor' },
        ...(req.method === 'POST' ? { body: body as Uint8Array<ArrayBuffer> } : {}),
      });
      const answer = tamper(req.url!, upstream.status, new Uint8Array(await upstream.arrayBuffer()));
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/cbor' });
      res.end(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

async function readBody(req: IncomingMessage): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}
