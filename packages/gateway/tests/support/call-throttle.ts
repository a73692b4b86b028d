import { createHash } from 'node:crypto';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** How a {@link CallThrottle} treats update calls (`POST .../call`); everything else passes at once. */
export interface CallThrottleOptions {
  /** Calls forwarded at the same time. */
  concurrency: number;
  /** Each forwarded call keeps its slot at least this long (its answer waits): capacity = concurrency / this. */
  serviceMs: number;
  /** Calls that may wait for a slot; more are answered 503 at once, like an overloaded boundary node. */
  maxQueued: number;
}

interface Waiting {
  req: IncomingMessage;
  res: ServerResponse;
  body: Buffer;
}

/**
 * A loopback proxy between the gateway and ic-ws-devnet that makes the IC slow: update calls are answered
 * at a fixed capacity (`concurrency` calls per `serviceMs`), wait in a bounded queue for it, and can be held
 * altogether ({@link CallThrottle.hold}) until {@link CallThrottle.release}. Queries, reads and status pass
 * untouched, so polls still work. Counts what it forwarded and refused.
 *
 * Capacity is spent on executions, as on the IC: a call is charged a slot the first time its envelope is
 * forwarded; the same envelope posted again (the IC runs a request id at most once, so a re-post only asks
 * for the outcome) is forwarded at once, unless calls are held.
 */
export class CallThrottle {
  readonly #queue: Waiting[] = [];
  readonly #sockets = new Set<Socket>();
  /** SHA-256 of every call envelope forwarded so far. */
  readonly #executed = new Set<string>();
  #busy = 0;
  #held = false;
  /** Calls forwarded to the IC (answered or not yet). */
  forwarded = 0;
  /** Calls answered 503 because the queue was full. */
  refused = 0;

  private constructor(
    readonly url: string,
    private readonly server: ReturnType<typeof createServer>,
    private readonly upstream: URL,
    public options: CallThrottleOptions,
  ) {}

  static async start(target: string, options: CallThrottleOptions): Promise<CallThrottle> {
    let throttle!: CallThrottle;
    const server = createServer((req, res) => throttle.#handle(req, res));
    server.on('connection', (socket) => {
      throttle.#sockets.add(socket);
      socket.on('close', () => throttle.#sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    throttle = new CallThrottle(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, new URL(target), options);
    return throttle;
  }

  /** Calls waiting for a slot (or held). */
  get queued(): number {
    return this.#queue.length;
  }

  /** From now on, calls wait (without limit) until {@link release}. */
  hold(): void {
    this.#held = true;
  }

  /** Lets held calls through, at the configured capacity. */
  release(): void {
    this.#held = false;
    this.#pump();
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const isCall = req.method === 'POST' && /\/call$/.test(req.url ?? '');
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (!isCall) return void this.#forward(req, res, body, () => {});
      const id = createHash('sha256').update(body).digest('hex');
      if (!this.#held && this.#executed.has(id)) return void this.#forward(req, res, body, () => {});
      if (!this.#held && this.#queue.length >= this.options.maxQueued) {
        this.refused += 1;
        res.writeHead(503, { 'content-type': 'text/plain' }).end('throttled: call queue full');
        return;
      }
      this.#queue.push({ req, res, body });
      this.#pump();
    });
  }

  #pump(): void {
    while (!this.#held && this.#busy < this.options.concurrency && this.#queue.length > 0) {
      const call = this.#queue.shift()!;
      if (call.res.destroyed) continue;
      this.#busy += 1;
      this.forwarded += 1;
      this.#executed.add(createHash('sha256').update(call.body).digest('hex'));
      const slotFreeAt = performance.now() + this.options.serviceMs;
      this.#forward(call.req, call.res, call.body, () => {
        setTimeout(() => {
          this.#busy -= 1;
          this.#pump();
        }, Math.max(0, slotFreeAt - performance.now()));
      });
    }
  }

  #forward(req: IncomingMessage, res: ServerResponse, body: Buffer, done: () => void): void {
    const outbound = request(
      { host: this.upstream.hostname, port: this.upstream.port, method: req.method, path: req.url, headers: { ...req.headers, 'content-length': String(body.length) } },
      (answer) => {
        const parts: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => parts.push(chunk));
        answer.on('end', () => {
          done();
          if (!res.destroyed) res.writeHead(answer.statusCode ?? 502, answer.headers).end(Buffer.concat(parts));
        });
      },
    );
    outbound.on('error', () => {
      done();
      res.socket?.destroy();
    });
    outbound.end(body);
  }
}
