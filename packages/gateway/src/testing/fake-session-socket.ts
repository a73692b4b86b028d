import type { SessionSocket } from '../session/session-ports';

/**
 * A recording {@link SessionSocket}. With `autoFlush` every frame counts as flushed at once; without it the
 * test flushes frames itself (`flush()`), which models a client that stops reading. `paused` tells whether
 * the session asked to stop reading (flow control).
 */
export class FakeSessionSocket implements SessionSocket {
  readonly sent: Uint8Array[] = [];
  readonly closes: { code: number; reason: string }[] = [];
  /** Every pause and resume, in order. */
  readonly reading: ('pause' | 'resume')[] = [];
  paused = false;
  readonly #unflushed: (() => void)[] = [];

  constructor(public autoFlush = true) {}

  send(frames: readonly Uint8Array[], onWritten: () => void): void {
    this.sent.push(...frames);
    if (this.autoFlush) onWritten();
    else this.#unflushed.push(onWritten);
  }

  close(code: number, reason: string): void {
    this.closes.push({ code, reason });
  }

  pauseReading(): void {
    this.paused = true;
    this.reading.push('pause');
  }

  resumeReading(): void {
    this.paused = false;
    this.reading.push('resume');
  }

  /** Flushes the `count` oldest unflushed writes (each the frames of one `send`). */
  flush(count = Infinity): void {
    for (let i = 0; i < count && this.#unflushed.length > 0; i++) this.#unflushed.shift()!();
  }
}
