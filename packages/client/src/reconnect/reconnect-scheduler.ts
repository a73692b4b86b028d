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
  /** The wait the last gateway asked for (it was overloaded); `delayMs` is at least this. */
  retryAfterMs?: number;
}

/**
 * Plans reconnections: exponential backoff with jitter, failing over to the next gateway of the list on every
 * attempt (a gateway that just failed is the least likely to work right away), at most `maxAttempts` in a
 * row. An opened session resets the count.
 *
 * A gateway that refused for overload asked for a wait (close 1013, `retry after <ms> ms`): the next attempt
 * waits at least that long (whichever gateway it goes to: gateways of one dapp tend to be loaded together),
 * plus up to `jitter` of it at random so refused clients do not return together. Such a refusal is the
 * gateway saying "later", not a failed attempt: it does not count toward `maxAttempts`.
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
   * @param retryAfterMs - the wait the gateway asked for when it refused the last session (overload).
   * @returns the plan, or `undefined` when `maxAttempts` attempts already failed in a row.
   */
  schedule(connect: (gatewayUrl: string) => void, retryAfterMs?: number): ReconnectPlan | undefined {
    const refusedForLoad = retryAfterMs !== undefined;
    if (!refusedForLoad && this.attempts >= this.options.maxAttempts) return undefined;
    this.cancel();
    if (!refusedForLoad) this.attempts += 1;
    this.urlIndex = (this.urlIndex + 1) % this.options.gatewayUrls.length;
    const attempt = Math.max(1, this.attempts);
    let delayMs = backoffDelay(attempt, this.options.backoff, this.options.random);
    if (refusedForLoad) delayMs = Math.max(delayMs, Math.round(retryAfterMs * (1 + this.options.backoff.jitter * this.options.random())));
    const plan: ReconnectPlan = {
      attempt,
      delayMs,
      gatewayUrl: this.currentUrl,
      ...(refusedForLoad ? { retryAfterMs } : {}),
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
