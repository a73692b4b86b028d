import type { SessionSocket } from '../session/session-ports';

/**
 * A recording {@link SessionSocket}. With `autoFlush` every frame counts as flushed at once; without it the
 * test flushes frames itself (`flush()`), which models a client that stops reading.
 */
export class FakeSessionSocket implements SessionSocket {
  readonly sent: Uint8Array[] = [];
  readonly closes: { code: number; reason: string }[] = [];
  readonly #unflushed: (() => void)[] = [];

  constructor(public autoFlush = true) {}

  send(frame: Uint8Array, onWritten: () => void): void {
    this.sent.push(frame);
    if (this.autoFlush) onWritten();
    else this.#unflushed.push(onWritten);
  }

  close(code: number, reason: string): void {
    this.closes.push({ code, reason });
  }

  /** Flushes the `count` oldest unflushed frames. */
  flush(count = Infinity): void {
    for (let i = 0; i < count && this.#unflushed.length > 0; i++) this.#unflushed.shift()!();
  }
}
