/**
 * Paces ingress execution in rounds, as a replica's blocks do: calls that arrive while a round is not due
 * wait, then run together, one after the other; the state they leave is certified once for all of them.
 */
import { ErrorCode, IcWsError } from 'ic-ws-protocol';

/** Options of {@link IngressRounds}. */
export interface IngressRoundsOptions {
  /**
   * Least time between the starts of two rounds, ms. A call arriving when the last round started longer ago
   * runs at once (with whatever arrived in the same event-loop turn); under load, one round per interval.
   * @default 0 (a round as soon as a call waits)
   */
  readonly intervalMs?: number;
  /**
   * Runs after each round's executions and before any of its callers hears back: what must hold before a
   * call is acknowledged (persisting the state). A throw fails every call of the round.
   * @default nothing
   */
  readonly afterRound?: () => void;
  /** Monotonic clock in ms. @default performance.now */
  readonly now?: () => number;
}

/** Defaults of {@link IngressRoundsOptions}. */
export const INGRESS_ROUNDS_DEFAULTS = { intervalMs: 0 } as const;

interface Waiting {
  readonly execute: () => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (reason: unknown) => void;
}

/** Batches executions into rounds. */
export class IngressRounds {
  readonly #intervalMs: number;
  readonly #afterRound: (() => void) | undefined;
  readonly #now: () => number;
  #waiting: Waiting[] = [];
  #lastStart = Number.NEGATIVE_INFINITY;
  #running = false;
  #timer: { readonly kind: 'timeout'; readonly handle: ReturnType<typeof setTimeout> } | { readonly kind: 'immediate'; readonly handle: ReturnType<typeof setImmediate> } | undefined;
  #rounds = 0;

  constructor(options: IngressRoundsOptions = {}) {
    const intervalMs = options.intervalMs ?? INGRESS_ROUNDS_DEFAULTS.intervalMs;
    if (!Number.isFinite(intervalMs) || intervalMs < 0) {
      throw new IcWsError(ErrorCode.InvalidOptions, `roundIntervalMs must be a non-negative number, got ${intervalMs}`);
    }
    this.#intervalMs = intervalMs;
    this.#afterRound = options.afterRound;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Rounds run so far. */
  get rounds(): number {
    return this.#rounds;
  }

  /** Runs `execute` in the next round; settles as it does, once the round is over. */
  run<T>(execute: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#waiting.push({ execute, resolve: resolve as (value: unknown) => void, reject });
      this.#schedule();
    });
  }

  /** Runs what is waiting now, without waiting for the interval (shutdown). */
  async flush(): Promise<void> {
    this.#cancelTimer();
    while (this.#waiting.length > 0 && !this.#running) await this.#runRound();
  }

  #schedule(): void {
    if (this.#running || this.#timer !== undefined || this.#waiting.length === 0) return;
    const wait = this.#lastStart + this.#intervalMs - this.#now();
    const fire = (): void => {
      this.#timer = undefined;
      void this.#runRound();
    };
    // setImmediate even when due, so that calls arriving in the same event-loop turn share the round.
    this.#timer = wait <= 0 ? { kind: 'immediate', handle: setImmediate(fire) } : { kind: 'timeout', handle: setTimeout(fire, wait) };
  }

  #cancelTimer(): void {
    if (this.#timer?.kind === 'timeout') clearTimeout(this.#timer.handle);
    else if (this.#timer?.kind === 'immediate') clearImmediate(this.#timer.handle);
    this.#timer = undefined;
  }

  async #runRound(): Promise<void> {
    if (this.#running || this.#waiting.length === 0) return;
    this.#running = true;
    this.#lastStart = this.#now();
    this.#rounds++;
    const batch = this.#waiting;
    this.#waiting = [];
    // Each execute() runs its canister execution synchronously when called, in arrival order.
    const settled = await Promise.allSettled(batch.map((waiting) => waiting.execute()));
    let roundError: unknown;
    try {
      this.#afterRound?.();
    } catch (error) {
      roundError = error;
    }
    batch.forEach((waiting, i) => {
      const outcome = settled[i] as PromiseSettledResult<unknown>;
      if (roundError !== undefined) waiting.reject(roundError);
      else if (outcome.status === 'fulfilled') waiting.resolve(outcome.value);
      else waiting.reject(outcome.reason);
    });
    this.#running = false;
    this.#schedule();
  }
}
