import type { TimerApi } from '../ic-websocket-options';

/** Shape of the backoff curve. */
export interface BackoffOptions {
  /** Delay of the first attempt, ms. */
  baseDelayMs: number;
  /** Cap of every delay, ms. */
  maxDelayMs: number;
  /** Share of each delay (0..1) that is random. */
  jitter: number;
}

/**
 * The delay before reconnection attempt `attempt` (1-based): `base * 2^(attempt-1)` capped at `max`, of which
 * the `jitter` share is drawn at random, so many clients dropped at once do not come back in lockstep.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling * (1 - options.jitter) + ceiling * options.jitter * random());
}

/** Options of {@link ReconnectScheduler}. */
export interface ReconnectSchedulerOptions {
  gatewayUrls: readonly string[];
  /** Attempts in a row (without an opened session in between) before giving up. */
  maxAttempts: number;
  backoff: BackoffOptions;
  random: () => number;
  timers: TimerApi;
}

/** One scheduled reconnection. */
export interface ReconnectPlan {
  /** 1 for the first attempt after a working session failed. */
  attempt: number;
  delayMs: number;
  /** The gateway the attempt goes to. */
  gatewayUrl: string;
}

/**
 * Plans reconnections: exponential backoff with jitter, failing over to the next gateway of the list on every
 * attempt (a gateway that just failed is the least likely to work right away), at most `maxAttempts` in a
 * row. An opened session resets the count.
 */
export class ReconnectScheduler {
  private attempts = 0;
  private urlIndex = 0;
  private handle: unknown;
  private pending = false;

  constructor(private readonly options: ReconnectSchedulerOptions) {}

  /** The gateway of the current (or first) session. */
  get currentUrl(): string {
    return this.options.gatewayUrls[this.urlIndex] as string;
  }

  /** True while an attempt is scheduled and has not started. */
  get isPending(): boolean {
    return this.pending;
  }

  /**
   * Schedules the next attempt, which calls `connect` with its gateway URL after the delay.
   * @returns the plan, or `undefined` when `maxAttempts` attempts already failed in a row.
   */
  schedule(connect: (gatewayUrl: string) => void): ReconnectPlan | undefined {
    if (this.attempts >= this.options.maxAttempts) return undefined;
    this.cancel();
    this.attempts += 1;
    this.urlIndex = (this.urlIndex + 1) % this.options.gatewayUrls.length;
    const plan: ReconnectPlan = {
      attempt: this.attempts,
      delayMs: backoffDelay(this.attempts, this.options.backoff, this.options.random),
      gatewayUrl: this.currentUrl,
    };
    this.pending = true;
    this.handle = this.options.timers.setTimeout(() => {
      this.pending = false;
      connect(plan.gatewayUrl);
    }, plan.delayMs);
    return plan;
  }

  /** A session opened: the next failure counts from attempt 1 again. */
  reset(): void {
    this.attempts = 0;
  }

  /** Drops a scheduled attempt (the app called `close()`). */
  cancel(): void {
    if (this.pending) this.options.timers.clearTimeout(this.handle);
    this.pending = false;
  }
}
