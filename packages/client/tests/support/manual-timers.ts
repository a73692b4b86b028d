import type { TimerApi } from '../../src/ic-websocket-options';

/**
 * A hand-driven clock for the client's `timers` option: nothing fires until `advance` is called, so tests of
 * timeouts and backoff run instantly and deterministically, while sockets and certificates use real time.
 */
export class ManualTimers implements TimerApi {
  private nowMs = 0;
  private nextId = 1;
  private readonly scheduled = new Map<number, { at: number; callback: () => void }>();

  setTimeout(callback: () => void, ms: number): number {
    const id = this.nextId++;
    this.scheduled.set(id, { at: this.nowMs + ms, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.scheduled.delete(handle as number);
  }

  /** Delays (from now) of the timers still pending, soonest first. */
  pendingDelays(): number[] {
    return [...this.scheduled.values()].map((t) => t.at - this.nowMs).sort((a, b) => a - b);
  }

  /** Moves the clock forward by `ms`, running every timer that falls due, in order. */
  advance(ms: number): void {
    const target = this.nowMs + ms;
    for (;;) {
      let dueId: number | undefined;
      let dueAt = Infinity;
      for (const [id, timer] of this.scheduled) {
        if (timer.at <= target && timer.at < dueAt) {
          dueId = id;
          dueAt = timer.at;
        }
      }
      if (dueId === undefined) break;
      const timer = this.scheduled.get(dueId)!;
      this.scheduled.delete(dueId);
      this.nowMs = timer.at;
      timer.callback();
    }
    this.nowMs = target;
  }
}
