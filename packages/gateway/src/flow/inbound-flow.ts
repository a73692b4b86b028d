import type { InboundPool } from './inbound-pool';

/** How much one session may hold before it stops reading its socket. */
export interface InboundLimits {
  /** Bytes of the frame being received plus pending envelopes. */
  maxPendingBytesPerSession: number;
  /** Envelopes waiting for relay or being relayed. */
  maxPendingEnvelopes: number;
  /** Largest client frame (bounds the bytes one frame in progress can hold). */
  maxPayload: number;
}

/** Pauses and resumes reading one socket (TCP backpressure); the session's socket itself. */
export interface ReadControl {
  pauseReading(): void;
  resumeReading(): void;
}

// A read may bring one more socket chunk than the frame limit before the parser refuses the frame.
const MAX_CHUNK_BYTES = 64 * 1024;

/**
 * The inbound flow control of one session. It counts the client's bytes the gateway holds (the frame being
 * received, from the raw byte count minus the frames taken out, and envelopes accepted but not yet relayed)
 * and stops reading the socket while the session or the whole gateway ({@link InboundPool}) holds too much.
 * Reading resumes as relays finish. Nothing is refused or dropped: the client's own send buffer fills and
 * its sends wait, which is the backpressure a WebSocket client can see.
 *
 * Like the pool, the session's own byte limit binds only while an envelope of it is pending: a frame larger
 * than the limit must still be read in full to be relayed.
 */
export class InboundFlow {
  #received = 0;
  #taken = 0;
  #receivingInPool = 0;
  #pendingBytes = 0;
  #pendingCount = 0;
  #paused = false;
  #stopped = false;
  #disposed = false;
  #waiting = false;
  readonly #maxReceiving: number;
  // Made the first time the session waits for the gateway-wide pool (most sessions never do).
  #wake: (() => void) | null = null;

  constructor(
    private readonly pool: InboundPool,
    private readonly limits: InboundLimits,
    private readonly control: ReadControl,
  ) {
    this.#maxReceiving = limits.maxPayload + MAX_CHUNK_BYTES;
  }

  /** True while the socket is not being read. */
  get paused(): boolean {
    return this.#paused;
  }

  /**
   * True when it holds nothing (no frame in progress, no envelope), reads the socket and waits for nothing:
   * its owner may drop it and make a new one when bytes come.
   */
  get idle(): boolean {
    return (
      this.#received === this.#taken &&
      this.#pendingCount === 0 &&
      this.#pendingBytes === 0 &&
      !this.#paused &&
      !this.#stopped &&
      !this.#disposed &&
      !this.#waiting
    );
  }

  /** Bytes held: the frame in progress plus pending envelopes. */
  get heldBytes(): number {
    return this.#receivingInPool + this.#pendingBytes;
  }

  /** Raw bytes arrived on the socket. */
  bytesReceived(bytes: number): void {
    this.#received += bytes;
    this.#update();
  }

  /** A whole frame of `wireBytes` (header included) left the parser. */
  frameTaken(wireBytes: number): void {
    // A frame longer than a socket read was joined from several reads into one buffer: those are garbage now.
    if (wireBytes > MAX_CHUNK_BYTES) this.pool.dropped(wireBytes, true);
    this.#taken += wireBytes;
    this.#update();
  }

  /**
   * `bytes` more are held for pending envelopes: an envelope accepted for relay (`envelopes` 1), or a
   * transient copy of one (`envelopes` 0: `fetch` copies the body it posts).
   */
  hold(bytes: number, envelopes = 1): void {
    if (this.#disposed) return;
    this.#pendingBytes += bytes;
    this.#pendingCount += envelopes;
    this.pool.adjust(0, bytes);
    this.#update();
  }

  /** Undoes a {@link hold}: the envelope was relayed (or given up), or the copy was dropped. */
  release(bytes: number, envelopes = 1): void {
    this.pool.dropped(bytes, bytes > MAX_CHUNK_BYTES);
    if (this.#disposed) return;
    this.#pendingBytes -= bytes;
    this.#pendingCount -= envelopes;
    this.pool.adjust(0, -bytes);
    this.#update();
  }

  /** Stops reading for good (the gateway is draining); held envelopes are still released as they finish. */
  stop(): void {
    this.#stopped = true;
    this.#update();
  }

  /**
   * The session ended: returns everything it held to the pool, and reads the socket again (its close
   * handshake needs the peer's close frame); releases of envelopes still in flight are ignored.
   */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    if (this.#wake) this.pool.cancel(this.#wake);
    this.pool.adjust(-this.#receivingInPool, -this.#pendingBytes);
    this.#receivingInPool = 0;
    this.#pendingBytes = 0;
    if (this.#paused) {
      this.#paused = false;
      this.control.resumeReading();
    }
  }

  #update(): void {
    if (this.#disposed) return;
    // More taken than received: the parser ran on a chunk before it was counted (listener order), or bytes
    // arrived before counting began. Either way nothing is in progress beyond what the next count brings.
    if (this.#taken > this.#received) this.#received = this.#taken;
    // Frame headers the count misses (fragments) only make this an overestimate; the cap bounds the drift.
    const receiving = Math.min(this.#received - this.#taken, this.#maxReceiving);
    if (receiving !== this.#receivingInPool) {
      const delta = receiving - this.#receivingInPool;
      this.#receivingInPool = receiving;
      this.pool.adjust(delta, 0);
    }
    const overOwn =
      this.#pendingCount >= this.limits.maxPendingEnvelopes ||
      (this.#pendingBytes > 0 && receiving + this.#pendingBytes >= this.limits.maxPendingBytesPerSession);
    const blocked = this.pool.blocked;
    const pause = this.#stopped || overOwn || blocked;
    if (blocked && pause && !this.#waiting) {
      this.#waiting = true;
      this.#wake ??= () => {
        this.#waiting = false;
        this.#update();
      };
      this.pool.wait(this.#wake);
    }
    if (pause === this.#paused) return;
    this.#paused = pause;
    if (pause) this.control.pauseReading();
    else this.control.resumeReading();
  }
}

/** Bytes a masked client frame of `payloadBytes` takes on the wire (RFC 6455 section 5.2). */
export function clientFrameWireBytes(payloadBytes: number): number {
  const extendedLength = payloadBytes < 126 ? 0 : payloadBytes < 65_536 ? 2 : 8;
  return 2 + extendedLength + 4 + payloadBytes;
}
