import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ErrorCode } from 'ic-ws-protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayError } from '../gateway-error';
import { createIcHttpPost } from './ic-http';

let server: Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** A loopback server answering with `handle`; counts connections. */
async function serve(handle: (req: IncomingMessage, body: Buffer, res: ServerResponse, socket: Socket) => void) {
  const sockets: Socket[] = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handle(req, Buffer.concat(chunks), res, req.socket));
  });
  server.on('connection', (socket: Socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`), sockets };
}

async function failureOf(promise: Promise<unknown>): Promise<GatewayError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GatewayError);
  return error as GatewayError;
}

describe('createIcHttpPost over Node http (the default)', () => {
  it('posts CBOR to the path and returns any status with its whole body, over one kept-alive connection', async () => {
    const { url, sockets } = await serve((req, body, res) => {
      expect(req.headers['content-type']).toBe('application/cbor');
      res.writeHead(req.url === '/api/v2/canister/x/query' ? 200 : 400);
      // Two writes: the answer arrives in more than one chunk.
      res.write(body);
      res.end(Buffer.from(req.url!));
    });
    const post = createIcHttpPost({ icUrl: url, timeoutMs: 5_000 });
    const first = await post('/api/v2/canister/x/query', Uint8Array.of(1, 2, 3));
    expect(first.status).toBe(200);
    expect(Buffer.from(first.body).toString('latin1')).toBe('\x01\x02\x03/api/v2/canister/x/query');
    const second = await post('/nope', Uint8Array.of(9));
    expect(second.status).toBe(400);
    expect(sockets).toHaveLength(1);
  });

  it('posts again once when a kept-alive connection was closed by the server as it was reused', async () => {
    let requests = 0;
    const { url, sockets } = await serve((_req, _body, res, socket) => {
      requests += 1;
      // The second request arrives on the kept connection: the server drops it without an answer.
      if (requests === 2) socket.destroy();
      else res.end('ok');
    });
    const post = createIcHttpPost({ icUrl: url, timeoutMs: 5_000 });
    await post('/a', Uint8Array.of(1));
    const answer = await post('/a', Uint8Array.of(1));
    expect(Buffer.from(answer.body).toString()).toBe('ok');
    expect(requests).toBe(3);
    expect(sockets).toHaveLength(2);
  });

  it('fails transient (POLL_FAILED) when nothing listens, and when no answer comes in time (without posting again)', async () => {
    const { url } = await serve(() => {});
    const silent = createIcHttpPost({ icUrl: url, timeoutMs: 100 });
    const timedOut = await failureOf(silent('/a', Uint8Array.of(1)));
    expect(timedOut).toMatchObject({ code: ErrorCode.PollFailed, transient: true, message: '/a: no answer within 100 ms' });
    const closedPort = new URL(url);
    server!.closeAllConnections();
    await new Promise((resolve) => server!.close(resolve));
    server = undefined;
    const refused = await failureOf(createIcHttpPost({ icUrl: closedPort, timeoutMs: 1_000 })('/a', Uint8Array.of(1)));
    expect(refused).toMatchObject({ code: ErrorCode.PollFailed, transient: true, message: expect.stringMatching(/^\/a: .*ECONNREFUSED/) });
  });

  it('fails transient when the answer breaks off', async () => {
    const { url } = await serve((_req, _body, res, socket) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial', () => socket.destroy());
    });
    const error = await failureOf(createIcHttpPost({ icUrl: url, timeoutMs: 5_000 })('/a', Uint8Array.of(1)));
    expect(error).toMatchObject({ code: ErrorCode.PollFailed, transient: true, message: expect.stringMatching(/^\/a: .*/) });
  });
});

describe('createIcHttpPost over a given fetch', () => {
  it('posts through it, and reports its failures as transient POLL_FAILED', async () => {
    const seen: string[] = [];
    const fetchFn: typeof fetch = async (input, init) => {
      seen.push(`${init?.method} ${String(input)} ${new Headers(init?.headers).get('content-type')}`);
      return new Response(Uint8Array.of(7), { status: 202 });
    };
    const post = createIcHttpPost({ icUrl: new URL('http://ic.test'), timeoutMs: 1_000, fetch: fetchFn });
    expect(await post('/q', Uint8Array.of(1))).toEqual({ status: 202, body: Uint8Array.of(7) });
    expect(seen).toEqual(['POST http://ic.test/q application/cbor']);
    const broken = createIcHttpPost({
      icUrl: new URL('http://ic.test'),
      timeoutMs: 1_000,
      fetch: () => Promise.reject(new TypeError('fetch failed', { cause: new Error('ECONNRESET') })),
    });
    expect(await failureOf(broken('/q', Uint8Array.of(1)))).toMatchObject({ transient: true, message: '/q: fetch failed: ECONNRESET' });
  });
});
