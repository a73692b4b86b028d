import type { ByteBudget } from '../flow/byte-budget';
import type { SessionObserver, SessionSocket } from './session-ports';

/**
 * Writes canister frames to one client without ever blocking the caller (the canister's poller), counting
 * the bytes handed to the socket and not yet flushed, against the session's limit and the gateway-wide
 * {@link ByteBudget}. A client that stops reading fills its limit and the buffer overflows (the session
 * closes as a slow consumer): it pins at most its limit plus one frame. Other clients are never delayed.
 */
export class OutboundBuffer {
  #bytes = 0;
  #overflowed = false;
  #disposed = false;
  // Only while someone waits for a flush (a draining gateway): most sessions never make one.
  #flushed: (() => void)[] | null = null;

  /**
   * @param socket - where the frames go (its `send` calls back once the last frame is flushed or failed).
   * @param observer - told of every write (`framesOut`).
   * @param maxBytes - unflushed bytes above which the next frame overflows the buffer (an empty buffer takes
   *   any frame, however large: a frame above the limit must still go out).
   */
  constructor(
    private readonly socket: SessionSocket,
    private readonly observer: SessionObserver,
    private readonly maxBytes: number,
    private readonly pool: ByteBudget,
  ) {}

  /** True once a push would have passed the limit: the client is too slow (the session must close). */
  get overflowed(): boolean {
    return this.#overflowed;
  }

  /**
   * Sends `frames` (one poll's frames for this client) in one write; returns false (sending nothing) once the
   * buffer has overflowed (see {@link overflowed}: that push returns false too) or was disposed. An empty
   * buffer takes them whatever their size (a poll's reply is bounded by the IC's reply limit); a buffer
   * already holding bytes overflows when they would pass its limit.
   */
  push(frames: readonly Uint8Array[]): boolean {
    if (this.#overflowed || this.#disposed) return false;
    // Frames may be views into one buffer holding a whole batch's frames. A client that is behind keeps
    // its frames a while: it gets copies, so it pins its own bytes (which the budget counts), not the batch.
    if (this.#bytes > 0) frames = frames.map((frame) => (frame.byteLength < frame.buffer.byteLength ? frame.slice() : frame));
    let size = 0;
    for (const frame of frames) size += frame.length;
    if (this.#bytes > 0 && this.#bytes + size > this.maxBytes) {
      this.#overflowed = true;
      return false;
    }
    this.#bytes += size;
    this.pool.add(size);
    let done = false;
    this.observer.framesOut(frames.length, size);
    this.socket.send(frames, () => {
      if (done || this.#disposed) return;
      done = true;
      this.#bytes -= size;
      this.pool.release(size);
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
    if (this.#bytes === 0 || this.#disposed) return Promise.resolve();
    return new Promise((resolve) => (this.#flushed ??= []).push(resolve));
  }

  /** The session ended: returns its bytes to the pool; later flush callbacks are ignored. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.pool.release(this.#bytes);
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
