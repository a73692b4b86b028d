import type { Socket } from 'node:net';

/** Limits of a {@link ConnectionTracker}. */
export interface ConnectionLimits {
  /** Sockets held at once, whether upgraded or not. */
  maxSockets: number;
  /** Sockets from one IP address at once; 0 for no limit. */
  maxPerIp: number;
  /** Time a socket may take from connecting to completing the WebSocket upgrade. */
  upgradeTimeoutMs: number;
}

/** What the tracker decided for a new socket. */
export type Admission = { admitted: true; evicted: boolean } | { admitted: false; reason: 'limit' | 'per_ip' };

interface Waiting {
  socket: Socket;
  since: number;
  timer: ReturnType<typeof setTimeout>;
}

// A socket younger than this is never evicted: a client that is upgrading right now must get through.
export const MIN_EVICTABLE_AGE_MS = 1_000;

/**
 * Counts every TCP connection of the WebSocket server from accept to close, upgraded or not, against the
 * connection limit and the per-IP limit, and closes the ones that do not finish the upgrade in time. When
 * the limit is reached, the oldest connection still waiting to upgrade (a silent socket, typically) is
 * closed to make room, so silent sockets cannot keep well-behaved clients out.
 */
export class ConnectionTracker {
  readonly #waiting = new Map<string, Waiting>();
  readonly #perIp = new Map<string, number>();
  #count = 0;

  constructor(
    private readonly limits: ConnectionLimits,
    private readonly onTimeout: () => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Sockets held (upgraded or not). */
  get count(): number {
    return this.#count;
  }

  /** Sockets that have not completed the upgrade yet. */
  get waitingCount(): number {
    return this.#waiting.size;
  }

  /** A TCP connection was accepted: counts it (and starts its upgrade timer) or tells why it is refused. */
  admit(socket: Socket): Admission {
    const ip = socket.remoteAddress ?? '';
    const { maxPerIp, maxSockets, upgradeTimeoutMs } = this.limits;
    if (maxPerIp > 0 && (this.#perIp.get(ip) ?? 0) >= maxPerIp) return { admitted: false, reason: 'per_ip' };
    let evicted = false;
    if (this.#count >= maxSockets) {
      const oldest = this.#waiting.values().next().value;
      if (oldest === undefined || this.now() - oldest.since < MIN_EVICTABLE_AGE_MS) return { admitted: false, reason: 'limit' };
      // Its place is given back now, not when its close event comes: the next admission must see it free.
      this.#releaseEarly(oldest.socket);
      oldest.socket.destroy();
      evicted = true;
    }
    this.#count += 1;
    this.#perIp.set(ip, (this.#perIp.get(ip) ?? 0) + 1);
    const timer = setTimeout(() => {
      this.onTimeout();
      socket.destroy();
    }, upgradeTimeoutMs);
    this.#waiting.set(socketId(socket), { socket, since: this.now(), timer });
    // One listener shared by every socket (no closure per connection: a gateway holds many thousands). Its
    // presence on a socket is the socket's count: it runs once, unless the place was given back earlier.
    socket.on('close', this.#onClose);
    return { admitted: true, evicted };
  }

  /**
   * The socket (the raw one, or the TLS socket over it: they share the remote address and port) completed
   * its upgrade: it no longer times out and is no longer evicted.
   */
  upgraded(socket: { remoteAddress?: string; remotePort?: number }): void {
    this.#settle(socketId(socket));
  }

  /** Closes every socket that has not upgraded yet (shutdown). */
  destroyWaiting(): void {
    for (const waiting of [...this.#waiting.values()]) {
      this.#releaseEarly(waiting.socket);
      waiting.socket.destroy();
    }
  }

  // The close listener, shared by every tracked socket (EventEmitter calls it with the socket as `this`).
  readonly #onClose = ((tracker: ConnectionTracker) =>
    function onTrackedSocketClose(this: Socket): void {
      tracker.#release(this);
    })(this);

  /** Gives a socket's place back before its close event (eviction, shutdown); the event then counts nothing. */
  #releaseEarly(socket: Socket): void {
    socket.removeListener('close', this.#onClose);
    this.#release(socket);
  }

  #release(socket: Socket): void {
    this.#count -= 1;
    // The address was read at admission, so the socket still has it (cached) once closed.
    const ip = socket.remoteAddress ?? '';
    const left = (this.#perIp.get(ip) ?? 1) - 1;
    if (left === 0) this.#perIp.delete(ip);
    else this.#perIp.set(ip, left);
    this.#settle(socketId(socket));
  }

  #settle(id: string): void {
    const waiting = this.#waiting.get(id);
    if (waiting === undefined) return;
    clearTimeout(waiting.timer);
    this.#waiting.delete(id);
  }
}

function socketId(socket: { remoteAddress?: string; remotePort?: number }): string {
  return `${socket.remoteAddress ?? ''}:${socket.remotePort ?? 0}`;
}
