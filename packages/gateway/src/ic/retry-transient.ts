import { isTransientIcError } from './transient-error';

/** First and largest pause between two attempts (doubling in between, each drawn in [half, full]). */
export interface Backoff {
  initialMs: number;
  maxMs: number;
}

/** How {@link retryTransient} retries. */
export interface RetryPlan {
  backoff: Backoff;
  /** Epoch ms (`Date.now()` clock) after which no new attempt starts; the last failure is thrown then. */
  deadlineMs: number;
  /** Aborting stops retrying: the attempt in flight finishes, its failure (or success) is returned. */
  signal?: AbortSignal;
  /** Called before each pause, with the failure and the attempt number (1 for the first failure). */
  onRetry?(error: unknown, attempt: number, delayMs: number): void;
  /** `[0, 1)`. */
  random?: () => number;
}

/** The pause after failed attempt `attempt` (1-based): exponential, capped, with "equal jitter". */
export function backoffDelay(attempt: number, backoff: Backoff, random: () => number = Math.random): number {
  const ceiling = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

/**
 * Runs `attempt` until it succeeds, fails for a reason that is not transient ({@link isTransientIcError}),
 * the deadline leaves no room for another attempt, or `signal` aborts; then rejects with the last failure.
 * Safe for signed calls: the IC executes one request id at most once, so posting it again only joins it.
 */
export async function retryTransient<T>(attempt: () => Promise<T>, plan: RetryPlan): Promise<T> {
  for (let failures = 1; ; failures++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isTransientIcError(error) || plan.signal?.aborted) throw error;
      const delayMs = backoffDelay(failures, plan.backoff, plan.random);
      if (Date.now() + delayMs >= plan.deadlineMs) throw error;
      plan.onRetry?.(error, failures, delayMs);
      if (!(await pause(delayMs, plan.signal))) throw error;
    }
  }
}

/** Resolves true after `ms`, or false as soon as `signal` aborts. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
