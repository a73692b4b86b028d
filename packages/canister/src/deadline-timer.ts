import type { CanisterHost, TimerId } from './host';

const NS_PER_MS = 1_000_000n;

/**
 * One host timer kept at or before a deadline that moves: {@link schedule} arms a timer only when the deadline
 * comes earlier than the armed one; a timer that fires early (its deadline moved later, or went away) calls
 * `onDue`, which finds nothing due and schedules again. It never cancels a live timer while the canister runs:
 * in azle 0.33, `clearTimer` on a timer whose callback is alive traps the call ("already borrowed:
 * BorrowMutError", rquickjs dropping the JavaScript callback while it runs JavaScript). Heap only: after an
 * upgrade the owner schedules again from its stable state.
 */
export class DeadlineTimer {
  private timer: TimerId | undefined;
  private armedNs: bigint | undefined;

  constructor(
    private readonly host: CanisterHost,
    private readonly onDue: () => void,
  ) {}

  /** Makes sure `onDue` runs at `dueNs` or earlier (at once if it has passed); `undefined`: nothing due. */
  schedule(dueNs: bigint | undefined): void {
    if (dueNs === undefined || (this.armedNs !== undefined && this.armedNs <= dueNs)) return;
    const now = this.host.time();
    const delayMs = dueNs <= now ? 0 : Number((dueNs - now + NS_PER_MS - 1n) / NS_PER_MS);
    const timer = this.host.setTimer(delayMs, () => {
      // An earlier timer replaced this one: only the newest one of a run of re-arms acts.
      if (this.timer !== timer) return;
      this.timer = undefined;
      this.armedNs = undefined;
      this.onDue();
    });
    this.timer = timer;
    this.armedNs = dueNs;
  }

  /** Cancels the timer (when the canister stops: `stop()`, tests). */
  stop(): void {
    if (this.timer !== undefined) this.host.clearTimer(this.timer);
    this.timer = undefined;
    this.armedNs = undefined;
  }
}
