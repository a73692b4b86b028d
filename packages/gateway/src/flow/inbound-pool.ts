/**
 * The gateway-wide budget of client bytes held in memory: bytes of frames still being received (inside the
 * WebSocket parser) plus envelopes accepted and not yet relayed. When it is used up, sessions stop reading
 * their sockets (TCP pushes back on the clients) until relays free some of it.
 *
 * The budget only binds while some envelope is pending: if everything it holds is half-received frames,
 * pausing would stop the very frames whose completion and relay could free it, so reading goes on (each
 * socket can then add at most its one frame in progress, which the frame size limit bounds).
 */
export class InboundPool {
  #receiving = 0;
  #pending = 0;
  #waiters = new Set<() => void>();

  constructor(readonly limit: number) {}

  /** Bytes held: frames being received plus pending envelopes. */
  get used(): number {
    return this.#receiving + this.#pending;
  }

  /** Bytes of accepted envelopes not yet relayed. */
  get pending(): number {
    return this.#pending;
  }

  /** True while sessions must not read: the budget is used up and a pending relay will free some of it. */
  get blocked(): boolean {
    return this.#pending > 0 && this.#receiving + this.#pending >= this.limit;
  }

  /** Applies a session's changes; wakes the waiting sessions once the pool is no longer blocked. */
  adjust(receivingDelta: number, pendingDelta: number): void {
    this.#receiving += receivingDelta;
    this.#pending += pendingDelta;
    if (this.#waiters.size > 0 && !this.blocked) {
      const waiters = [...this.#waiters];
      this.#waiters.clear();
      for (const wake of waiters) wake();
    }
  }

  /** Calls `wake` once the pool is no longer blocked (after the next change that unblocks it). */
  wait(wake: () => void): void {
    this.#waiters.add(wake);
  }

  /** Forgets a waiter (its session ended). */
  cancel(wake: () => void): void {
    this.#waiters.delete(wake);
  }
}
