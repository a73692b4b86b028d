import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorCode, IcWsError } from 'ic-ws-protocol';
import type { ExecutionEnvironment } from '../execution/types';
import { Certifier } from '../state/certifier';
import { IngressRounds } from '../state/ingress-rounds';
import { CallHandler } from './call-handler';
import { errorAnswer, type HttpAnswer } from './http-answer';
import type { InterfaceContext } from './interface-context';
import { handleQuery } from './query-handler';
import { handleReadState } from './read-state-handler';
import { readBody } from './read-body';
import { RequestError } from './request-error';
import { parseRoute, type Route } from './route';
import { handleStatus } from './status-handler';

/** Options of {@link startHttpServer}. */
export interface HttpServerOptions {
  /** The execution engine that runs the canisters. */
  readonly env: ExecutionEnvironment;
  /**
   * Signs the state. Pass one when the engine needs `dataCertificate` from it (create it first with a
   * `state` that forwards to the engine). @default a new `Certifier` over `env` with fresh keys
   */
  readonly certifier?: Certifier;
  /**
   * Paces update execution in rounds (see `IngressRounds`). @default a new `IngressRounds()`: a round as soon
   * as a call waits
   */
  readonly rounds?: IngressRounds;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** 0 picks a free port. @default 0 */
  readonly port?: number;
  /** Larger request bodies get 413. @default 5 MiB */
  readonly maxBodyBytes?: number;
  /**
   * Serve the synchronous `/api/v3/.../call` (and v4). When false it answers 404, which makes
   * @dfinity/agent fall back to v2 call and read_state polling, like an older replica. @default true
   */
  readonly syncCall?: boolean;
}

/** Defaults of {@link HttpServerOptions}. */
export const HTTP_SERVER_DEFAULTS = {
  host: '127.0.0.1',
  port: 0,
  maxBodyBytes: 5 * 1024 * 1024,
  syncCall: true,
} as const;

/** A running IC HTTP interface. */
export interface HttpServerHandle {
  /** Base URL agents use as `host`, e.g. `http://127.0.0.1:36123`. */
  readonly url: string;
  /** The root key in DER (133 bytes), what `/api/v2/status` serves. */
  readonly rootKey: Uint8Array;
  readonly certifier: Certifier;
  /** Stops accepting connections, ends open ones and resolves when the server is closed. */
  close(): Promise<void>;
}

/**
 * Serves the IC HTTP interface (status, query, call, read_state) for `env` on `host:port`, so the real
 * @dfinity/agent can talk to it with every verification on.
 *
 * @example
 * ```ts
 * const server = await startHttpServer({ env });
 * const agent = await HttpAgent.create({ host: server.url, shouldFetchRootKey: true });
 * // ... Actor.createActor(idlFactory, { agent, canisterId })
 * await server.close();
 * ```
 */
export async function startHttpServer(options: HttpServerOptions): Promise<HttpServerHandle> {
  const settings = { ...HTTP_SERVER_DEFAULTS, ...withoutUndefined(options) };
  if (!Number.isInteger(settings.maxBodyBytes) || settings.maxBodyBytes <= 0) {
    throw new IcWsError(ErrorCode.InvalidOptions, `startHttpServer: maxBodyBytes must be a positive integer, got ${settings.maxBodyBytes}`);
  }
  const certifier = options.certifier ?? new Certifier({ state: options.env });
  const rounds = options.rounds ?? new IngressRounds();
  const context: InterfaceContext = { env: options.env, certifier, rounds };
  const calls = new CallHandler(context);

  const dispatch = async (request: IncomingMessage): Promise<HttpAnswer> => {
    const route: Route = parseRoute(request.method, request.url);
    if (route.kind === 'status') return handleStatus(context);
    const body = await readBody(request, settings.maxBodyBytes);
    switch (route.kind) {
      case 'query':
        return handleQuery(context, route.canisterId, body, route.version);
      case 'call':
        if (route.version !== 2 && !settings.syncCall) {
          throw new RequestError(ErrorCode.HttpRouteNotFound, 404, 'Synchronous calls are disabled on this devnet');
        }
        return calls.handle(route.canisterId, body, route.version === 2 ? 'async' : 'sync', route.version);
      case 'read_state':
        return handleReadState(context, { kind: route.target, id: route.id }, body, route.version);
    }
  };

  const server = createServer((request, response) => {
    if (request.method === 'OPTIONS') {
      send(response, { status: 204, body: undefined });
      return;
    }
    dispatch(request).then(
      (answer) => send(response, answer),
      (error: unknown) => {
        if (!request.complete) request.resume(); // let an unread body drain so the answer is seen
        send(response, error instanceof RequestError ? errorAnswer(error) : internalError(error));
      },
    );
  });
  // Canisters run synchronously in this process, so a long execution can stall the event loop past a short
  // keep-alive timeout; the server would then close idle sockets just as a client reuses them. A long server
  // timeout leaves closing idle sockets to the client (undici: 4 s), which has no such race.
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 125_000;
  await listen(server, settings.host, settings.port);
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    rootKey: certifier.rootKey.der,
    certifier,
    close: () => closeServer(server),
  };
}

// Browser dapps call the devnet cross-origin, as they would a boundary node.
const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': 'Content-Type',
} as const;

function send(response: ServerResponse, answer: HttpAnswer): void {
  if (response.headersSent) return;
  const headers: Record<string, string> = { ...CORS_HEADERS };
  if (answer.body instanceof Uint8Array) headers['content-type'] = 'application/cbor';
  else if (typeof answer.body === 'string') headers['content-type'] = 'text/plain; charset=utf-8';
  response.writeHead(answer.status, headers);
  response.end(answer.body);
}

// Anything that is not a RequestError is a devnet bug: answer 500 and keep serving.
function internalError(error: unknown): HttpAnswer {
  const reason = error instanceof Error ? error.message : String(error);
  return { status: 500, body: `Internal error: ${reason}` };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
