/**
 * A gateway-wide byte budget that is allowed to be overdrawn by one addition: `add` never refuses, callers
 * ask {@link ByteBudget.full} before producing more and wait with {@link ByteBudget.whenRoom}. Used for the
 * outbound frames of every session: when they fill it, pollers hold their next poll (the messages wait in
 * the canister's queue) until clients have read enough.
 */
export class ByteBudget {
  #used = 0;
  #waiters: (() => void)[] = [];

  constructor(readonly limit: number) {}

  /** Bytes currently held. */
  get used(): number {
    return this.#used;
  }

  /** True once the holdings reach the limit. */
  get full(): boolean {
    return this.#used >= this.limit;
  }

  add(bytes: number): void {
    this.#used += bytes;
  }

  release(bytes: number): void {
    this.#used -= bytes;
    if (this.#used < this.limit && this.#waiters.length > 0) {
      const waiters = this.#waiters;
      this.#waiters = [];
      for (const wake of waiters) wake();
    }
  }

  /** `null` when there is room now, else a promise that resolves once releases bring the holdings under the limit. */
  whenRoom(): Promise<void> | null {
    if (!this.full) return null;
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
}
