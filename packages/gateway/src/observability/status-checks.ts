import type { GatewayIc } from '../ic/gateway-ic';
import type { IcHealth } from './ic-health';
import { readinessReason } from './readiness-reason';

/** Timing of {@link startStatusChecks}. */
export interface StatusCheckTiming {
  intervalMs: number;
  /** A check without an answer by then counts as failed: an IC that black-holes requests is not ready. */
  timeoutMs: number;
}

/**
 * Checks the IC's status now and every `intervalMs`, recording each outcome in `health` (for `/readyz`).
 * One check at a time; a check that hangs fails after `timeoutMs` and the next one starts on schedule.
 * A check is skipped while a poll succeeded within the last `intervalMs`: that answer already proved the
 * IC reachable (an idle gateway polls every few seconds, and each check is an HTTP request of its own).
 * Returns a function that stops the checks.
 */
export function startStatusChecks(
  ic: Pick<GatewayIc, 'checkStatus'>,
  health: IcHealth,
  timing: StatusCheckTiming,
  now: () => number = () => performance.now(),
): () => void {
  let current: symbol | null = null;
  const check = () => {
    if (current !== null) return;
    const polledAt = health.lastPollOkAt;
    if (polledAt !== null && now() - polledAt < timing.intervalMs) return;
    const id = Symbol('status check');
    current = id;
    const timeout = setTimeout(() => settle(false, `IC status check timed out after ${timing.timeoutMs} ms`), timing.timeoutMs);
    const settle = (ok: boolean, error?: string) => {
      if (current !== id) return;
      current = null;
      clearTimeout(timeout);
      health.record(ok, error);
    };
    ic.checkStatus().then(
      () => settle(true),
      (error: unknown) => settle(false, readinessReason(error)),
    );
  };
  check();
  const interval = setInterval(check, timing.intervalMs);
  interval.unref();
  return () => {
    clearInterval(interval);
    current = Symbol('stopped');
  };
}
