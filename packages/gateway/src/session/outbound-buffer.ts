import type { ByteBudget } from '../flow/byte-budget';

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
  #flushed: (() => void)[] = [];

  /**
   * @param write - hands a frame to the socket; calls `onWritten` once it is flushed (or failed).
   * @param maxBytes - unflushed bytes above which the next frame overflows the buffer (an empty buffer takes
   *   any frame, however large: a frame above the limit must still go out).
   * @param onOverflow - called once, when a frame would exceed the limit.
   */
  constructor(
    private readonly write: (frame: Uint8Array, onWritten: () => void) => void,
    private readonly maxBytes: number,
    private readonly pool: ByteBudget,
    private readonly onOverflow: () => void,
  ) {}

  /** Sends `frame`; returns false (sending nothing) once the buffer has overflowed or was disposed. */
  push(frame: Uint8Array): boolean {
    if (this.#overflowed || this.#disposed) return false;
    // A frame may be a view into one buffer holding a whole batch's frames. A client that is behind keeps
    // its frames a while: it gets a copy, so it pins its own bytes (which the budget counts), not the batch.
    if (this.#bytes > 0 && frame.byteLength < frame.buffer.byteLength) frame = frame.slice();
    const size = frame.length;
    if (this.#bytes > 0 && this.#bytes + size > this.maxBytes) {
      this.#overflowed = true;
      this.onOverflow();
      return false;
    }
    this.#bytes += size;
    this.pool.add(size);
    let done = false;
    this.write(frame, () => {
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
    return new Promise((resolve) => this.#flushed.push(resolve));
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
    this.#flushed = [];
    for (const resolve of waiters) resolve();
  }
}
