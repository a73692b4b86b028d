/**
 * Fires canisters' global timers. `runDue()` deactivates every due timer, queues a `canister_global_timer`
 * execution for it and drains the queue, repeating while executions arm timers that are already due (Azle's
 * 0 s timers). With a real clock a Node timer, unref'd so it never keeps the process alive, calls `runDue()`
 * when the earliest timer is due.
 */
import type { CanisterInstance } from '../execution/canister-instance';
import type { Clock } from './clock';

/** What the scheduler needs from the subnet. */
export interface TimerSchedulerHost {
  clock: Clock;
  canisters(): Iterable<CanisterInstance>;
  enqueue(canister: CanisterInstance): void;
  drain(): boolean;
  /** Told after timers fired on their own (a real clock's Node timer), not after `runDue()` calls. */
  afterTimers?(): void;
}

/** Rounds per `runDue()`: bounds the work a timer that re-arms itself at "now" can cause. */
const MAX_ROUNDS = 100;
/** setTimeout's maximum delay. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/** Runs due global timers, on demand and (real clock) on its own. */
export class TimerScheduler {
  private handle: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(private readonly host: TimerSchedulerHost) {}

  /** Runs every due timer and drains the queue, round after round while timers keep becoming due. */
  runDue(): void {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const fired = this.enqueueDue();
      this.host.drain();
      if (!fired) break;
    }
    this.reschedule();
  }

  /** Re-arms the Node timer for the earliest global timer (real clock only). */
  reschedule(): void {
    if (this.handle !== undefined) clearTimeout(this.handle);
    this.handle = undefined;
    if (this.stopped || this.host.clock.mode !== 'real') return;
    let earliest: bigint | undefined;
    for (const canister of this.host.canisters()) {
      if (canister.globalTimer !== 0n && (earliest === undefined || canister.globalTimer < earliest)) {
        earliest = canister.globalTimer;
      }
    }
    if (earliest === undefined) return;
    const delayMs = Number((earliest - this.host.clock.now()) / 1_000_000n);
    this.handle = setTimeout(
      () => {
        this.handle = undefined;
        this.runDue();
        this.host.afterTimers?.();
      },
      Math.min(Math.max(delayMs, 0), MAX_DELAY_MS),
    );
    this.handle.unref?.();
  }

  /** Cancels the Node timer for good. */
  stop(): void {
    this.stopped = true;
    if (this.handle !== undefined) clearTimeout(this.handle);
    this.handle = undefined;
  }

  private enqueueDue(): boolean {
    const now = this.host.clock.now();
    let fired = false;
    for (const canister of this.host.canisters()) {
      if (canister.globalTimer !== 0n && canister.globalTimer <= now) {
        // The IC deactivates the timer before running canister_global_timer, which may set it again.
        canister.globalTimer = 0n;
        this.host.enqueue(canister);
        fired = true;
      }
    }
    return fired;
  }
}
