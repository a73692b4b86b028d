import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { deferred, type Deferred } from '../../src/testing/deferred';

/** How {@link IcProxy} treats requests during an outage. */
export type OutageMode =
  /** Every request is answered by a connection reset (what a client sees from a host that refuses). */
  | 'refuse'
  /** Requests are accepted and never answered (a black hole); they are reset when the outage ends. */
  | 'hang';

/** One request that reached the proxy during an outage. */
export interface BlockedRequest {
  /** `performance.now()` when it arrived. */
  at: number;
  method: string;
  path: string;
}

/**
 * A loopback HTTP proxy between the gateway and the IC, for outage tests: it forwards every request to
 * `target` until {@link IcProxy.interrupt} is called, then refuses or holds requests until the outage's
 * end condition holds. The condition is checked on each blocked request, so the outage ends on an event
 * (a request of the gateway's), never on a timer of the test's.
 */
export class IcProxy {
  /** Requests blocked during the current or last outage, in arrival order. */
  readonly blocked: BlockedRequest[] = [];
  readonly #sockets = new Set<Socket>();
  readonly #held = new Set<ServerResponse>();
  #outage: { mode: OutageMode; endWhen: (blocked: readonly BlockedRequest[]) => boolean; ended: Deferred<void> } | null = null;

  private constructor(
    readonly url: string,
    private readonly server: ReturnType<typeof createServer>,
  ) {}

  /** Starts a proxy on 127.0.0.1 (port 0) to `target` (an `http://host:port` URL). */
  static async start(target: string): Promise<IcProxy> {
    const upstream = new URL(target);
    let proxy!: IcProxy;
    const server = createServer((req, res) => proxy.#handle(req, res, upstream));
    server.on('connection', (socket) => proxy.#accept(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new IcProxy(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, server);
    return proxy;
  }

  /** True while an outage is in progress. */
  get interrupted(): boolean {
    return this.#outage !== null;
  }

  /**
   * Stops forwarding (open connections are cut, so keep-alive sockets do not slip through) until
   * `endWhen(blocked)` returns true for the requests blocked so far; resolves when forwarding resumed.
   */
  interrupt(mode: OutageMode, endWhen: (blocked: readonly BlockedRequest[]) => boolean): Promise<void> {
    this.blocked.length = 0;
    const ended = deferred();
    this.#outage = { mode, endWhen, ended };
    for (const socket of this.#sockets) socket.destroy();
    return ended.promise;
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  #accept(socket: Socket): void {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
  }

  #handle(req: IncomingMessage, res: ServerResponse, upstream: URL): void {
    const outage = this.#outage;
    if (outage === null) {
      forward(req, res, upstream);
      return;
    }
    this.blocked.push({ at: performance.now(), method: req.method ?? 'GET', path: req.url ?? '/' });
    if (outage.mode === 'refuse') req.socket.destroy();
    else this.#held.add(res);
    if (outage.endWhen(this.blocked)) this.#resume(outage.ended);
  }

  #resume(ended: Deferred<void>): void {
    this.#outage = null;
    // Held requests fail now, as a dead connection would once it is noticed; nothing of them reaches the IC.
    for (const res of this.#held) res.socket?.destroy();
    this.#held.clear();
    ended.resolve();
  }
}

function forward(req: IncomingMessage, res: ServerResponse, upstream: URL): void {
  const outbound = request(
    { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  outbound.on('error', () => res.socket?.destroy());
  req.pipe(outbound);
}
