/**
 * What `/readyz` knows about the IC: the latest status check or successful poll. The gateway is ready when
 * the IC answered last time and it is not draining.
 */
export class IcHealth {
  #lastOk: boolean | null = null;
  #lastError = 'no answer from the IC yet';
  #draining = false;

  /** Records the outcome of a poll or a status check. */
  record(ok: boolean, error?: string): void {
    this.#lastOk = ok;
    if (!ok) this.#lastError = error ?? 'IC request failed';
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
