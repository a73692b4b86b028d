import type { ByteBudget } from '../flow/byte-budget';
import type { SessionObserver, SessionSocket } from './session-ports';

/** What the outbound buffers of a gateway's sessions share (a subset of the sessions' shared deps). */
export interface OutboundShared {
  observer: SessionObserver;
  limits: { maxOutboundBytesPerSession: number };
  pools: { outbound: ByteBudget };
}

/**
 * Writes canister frames to one client without ever blocking the caller (the canister's poller), counting
 * the bytes handed to the socket and not yet flushed, against the session's limit and the gateway-wide
 * {@link ByteBudget}. A client that stops reading fills its limit and the buffer overflows (the session
 * closes as a slow consumer): it pins at most its limit plus one frame. Other clients are never delayed.
 */
export class OutboundBuffer {
  #bytes = 0;
  #state: 'open' | 'overflowed' | 'disposed' = 'open';
  // Only while someone waits for a flush (a draining gateway): most sessions never make one.
  #flushed: (() => void)[] | null = null;

  /**
   * @param socket - where the frames go (its `send` calls back once the last frame is flushed or failed).
   * @param shared - what every session's buffer shares: the observer told of every write (`framesOut`), the
   *   limit (`maxOutboundBytesPerSession`: unflushed bytes above which the next frame overflows the buffer;
   *   an empty buffer takes any frame, however large, since a frame above the limit must still go out) and
   *   the gateway-wide budget (`pools.outbound`).
   */
  constructor(
    private readonly socket: SessionSocket,
    private readonly shared: OutboundShared,
  ) {}

  /** True once a push would have passed the limit: the client is too slow (the session must close). */
  get overflowed(): boolean {
    return this.#state === 'overflowed';
  }

  /**
   * Sends `frames` (one poll's frames for this client) in one write; returns false (sending nothing) once the
   * buffer has overflowed (see {@link overflowed}: that push returns false too) or was disposed. An empty
   * buffer takes them whatever their size (a poll's reply is bounded by the IC's reply limit); a buffer
   * already holding bytes overflows when they would pass its limit.
   */
  push(frames: readonly Uint8Array[]): boolean {
    if (this.#state !== 'open') return false;
    // Frames may be views into one buffer holding a whole batch's frames. A client that is behind keeps
    // its frames a while: it gets copies, so it pins its own bytes (which the budget counts), not the batch.
    if (this.#bytes > 0) frames = frames.map((frame) => (frame.byteLength < frame.buffer.byteLength ? frame.slice() : frame));
    let size = 0;
    for (const frame of frames) size += frame.length;
    const { pools, observer } = this.shared;
    if (this.#bytes > 0 && this.#bytes + size > this.shared.limits.maxOutboundBytesPerSession) {
      this.#state = 'overflowed';
      return false;
    }
    this.#bytes += size;
    pools.outbound.add(size);
    let done = false;
    observer.framesOut(frames.length, size);
    this.socket.send(frames, () => {
      if (done || this.#state === 'disposed') return;
      done = true;
      this.#bytes -= size;
      pools.outbound.release(size);
      if (this.#bytes === 0) this.#resolveFlushed();
    });
    return true;
  }

  /** Bytes handed to the socket and not yet flushed. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Resolves once every frame pushed so far is flushed (at once when none is pending). */
  whenFlushed(): Promise<void> {
    if (this.#bytes === 0 || this.#state === 'disposed') return Promise.resolve();
    return new Promise((resolve) => (this.#flushed ??= []).push(resolve));
  }

  /** The session ended: returns its bytes to the pool; later flush callbacks are ignored. */
  dispose(): void {
    if (this.#state === 'disposed') return;
    this.#state = 'disposed';
    this.shared.pools.outbound.release(this.#bytes);
    this.#bytes = 0;
    this.#resolveFlushed();
  }

  #resolveFlushed(): void {
    const waiters = this.#flushed;
    if (waiters === null) return;
    this.#flushed = null;
    for (const resolve of waiters) resolve();
  }
}
