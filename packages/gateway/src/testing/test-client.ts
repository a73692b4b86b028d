import { WebSocket } from 'ws';
import { deferred, type Deferred } from './deferred';

/**
 * A `ws` client for tests against a real gateway: records frames, hands them out in order with
 * `nextFrame()`, and exposes the close as a promise, so tests wait on events, never on time.
 */
export class TestClient {
  readonly frames: Uint8Array[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  #read = 0;
  #waiter: Deferred<Uint8Array> | null = null;

  private constructor(readonly ws: WebSocket) {
    const closed = deferred<{ code: number; reason: string }>();
    this.closed = closed.promise;
    ws.on('message', (data: Buffer) => {
      this.frames.push(new Uint8Array(data));
      if (this.#waiter) {
        const waiter = this.#waiter;
        this.#waiter = null;
        waiter.resolve(this.frames[this.#read++]!);
      }
    });
    ws.on('close', (code: number, reason: Buffer) => closed.resolve({ code, reason: reason.toString() }));
    // A hostile test may make the gateway drop the TCP connection; that is an outcome, not a test error.
    ws.on('error', () => {});
  }

  /** Connects and resolves once the upgrade succeeded. */
  static connect(url: string, options: { maxPayload?: number; ca?: string } = {}): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { maxPayload: options.maxPayload ?? 64 * 1024 * 1024, ...(options.ca ? { ca: options.ca } : {}) });
      const client = new TestClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  /** The next frame not yet taken (the handshake first). */
  nextFrame(): Promise<Uint8Array> {
    if (this.#read < this.frames.length) return Promise.resolve(this.frames[this.#read++]!);
    this.#waiter = deferred<Uint8Array>();
    return this.#waiter.promise;
  }

  send(data: Uint8Array | string): void {
    this.ws.send(data);
  }

  /** Writes `bytes` to the TCP connection as they are (a partial or malformed frame), bypassing `ws`'s framing. */
  sendRaw(bytes: Uint8Array): void {
    // ws keeps its socket private; tests that play a broken client need it.
    (this.ws as unknown as { _socket: { write(data: Uint8Array): void } })._socket.write(bytes);
  }

  close(): void {
    this.ws.close();
  }
}
