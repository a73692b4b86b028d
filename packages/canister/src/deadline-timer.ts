import type { CanisterHost, TimerId } from './host';

const NS_PER_MS = 1_000_000n;

/**
 * One host timer kept pointed at a deadline that moves: {@link schedule} re-arms it only when the deadline
 * changes, so calling it after every state change costs nothing when nothing moved. Heap only: after an
 * upgrade the owner schedules again from its stable state.
 */
export class DeadlineTimer {
  private timer: TimerId | undefined;
  private dueNs: bigint | undefined;

  constructor(
    private readonly host: CanisterHost,
    private readonly onDue: () => void,
  ) {}

  /** Fires `onDue` once at `dueNs` (at once if it has passed); `undefined` cancels. */
  schedule(dueNs: bigint | undefined): void {
    if (dueNs === this.dueNs) return;
    this.stop();
    if (dueNs === undefined) return;
    this.dueNs = dueNs;
    const now = this.host.time();
    const delayMs = dueNs <= now ? 0 : Number((dueNs - now + NS_PER_MS - 1n) / NS_PER_MS);
    this.timer = this.host.setTimer(delayMs, () => {
      this.timer = undefined;
      this.dueNs = undefined;
      this.onDue();
    });
  }

  /** Cancels the timer. */
  stop(): void {
    if (this.timer !== undefined) this.host.clearTimer(this.timer);
    this.timer = undefined;
    this.dueNs = undefined;
  }
}
