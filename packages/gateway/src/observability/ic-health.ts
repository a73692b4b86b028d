/**
 * What `/readyz` knows about the IC: the latest status check or successful poll. The gateway is ready when
 * the IC answered last time and it is not draining.
 */
export class IcHealth {
  #lastOk: boolean | null = null;
  #lastError = 'no answer from the IC yet';
  #draining = false;
  #lastPollOkAt: number | null = null;

  /** Records the outcome of a status check (or of anything else that proves the IC reachable or not). */
  record(ok: boolean, error?: string): void {
    this.#lastOk = ok;
    if (!ok) this.#lastError = error ?? 'IC request failed';
  }

  /** Records a successful poll at `at` (`performance.now()`): the IC answered. */
  polledOk(at: number): void {
    this.record(true);
    this.#lastPollOkAt = at;
  }

  /** `performance.now()` of the last successful poll, `null` before the first. */
  get lastPollOkAt(): number | null {
    return this.#lastPollOkAt;
  }

  /** From now on the gateway is not ready (shutdown). */
  startDraining(): void {
    this.#draining = true;
  }

  /** `null` when ready, else why not. */
  notReadyReason(): string | null {
    if (this.#draining) return 'draining';
    if (this.#lastOk !== true) return this.#lastError;
    return null;
  }
}
