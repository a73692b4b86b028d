/**
 * The gateway-wide budget of client bytes held in memory: bytes of frames still being received (inside the
 * WebSocket parser), envelopes accepted and not yet relayed, and the client bytes dropped since the last
 * garbage collection (the parser's chunks once it has joined them into a frame, frames once relayed, the
 * copies `fetch` made to post them): memory until the collector runs, so counted until it has run. When it
 * is used up, sessions stop reading their sockets (TCP pushes back on the clients) until relays (and the
 * collector) free some of it.
 *
 * Sessions stop reading at 7/8 of the limit: the rest is room for memory that comes with the counted bytes
 * without being them (allocator overhead, socket and parser state, garbage between collections), 0-12% of a
 * 256 MiB budget as measured by tests/memory-budgets.serial.test.ts, so that the process grows by about the
 * limit, not more.
 *
 * The budget only binds while some envelope is pending: if everything it holds is half-received frames,
 * pausing would stop the very frames whose completion and relay could free it, so reading goes on (each
 * socket can then add at most its one frame in progress, which the frame size limit bounds).
 */
export class InboundPool {
  #receiving = 0;
  #pending = 0;
  // Dropped buffers by where they are likely to live: large or long-lived ones in the old generation (only a
  // full collection frees them), the rest in the young one (a scavenge does). Buffers a collection found
  // dead are freed by a sweeper that may finish after it: they count until the next collection.
  #oldGarbage = 0;
  #youngGarbage = 0;
  #sweeping = 0;
  #waiters = new Set<() => void>();

  readonly #threshold: number;

  constructor(readonly limit: number) {
    this.#threshold = limit - Math.floor(limit / 8);
  }

  /** Bytes held at which sessions stop reading (while an envelope is pending): 7/8 of the limit. */
  get threshold(): number {
    return this.#threshold;
  }

  /** Bytes held: frames being received, pending envelopes and client bytes not collected yet. */
  get used(): number {
    return this.#receiving + this.#pending + this.#oldGarbage + this.#youngGarbage + this.#sweeping;
  }

  /** Bytes of accepted envelopes not yet relayed. */
  get pending(): number {
    return this.#pending;
  }

  /** True while sessions must not read: the budget is used up (to its headroom) and a pending relay will free some of it. */
  get blocked(): boolean {
    return this.#pending > 0 && this.used >= this.#threshold;
  }

  /**
   * `bytes` of client data were dropped: memory until the garbage collector frees them. `old`: buffers that
   * lived long enough to leave the young generation (a frame's parts, joined after many reads; an envelope
   * that waited for relay), which only a full collection frees.
   */
  dropped(bytes: number, old: boolean): void {
    if (old) this.#oldGarbage += bytes;
    else this.#youngGarbage += bytes;
  }

  /**
   * The garbage collector ran (`major`: a full collection): what it found dead is counted until the next
   * collection (its sweeper frees it meanwhile); what an earlier one found dead is counted no more.
   */
  collected(kind: 'minor' | 'major'): void {
    const wasUsed = this.used;
    this.#sweeping = this.#youngGarbage + (kind === 'major' ? this.#oldGarbage : 0);
    this.#youngGarbage = 0;
    if (kind === 'major') this.#oldGarbage = 0;
    if (this.used < wasUsed) this.#wake();
  }

  /** Applies a session's changes; wakes the waiting sessions once the pool is no longer blocked. */
  adjust(receivingDelta: number, pendingDelta: number): void {
    this.#receiving += receivingDelta;
    this.#pending += pendingDelta;
    this.#wake();
  }

  #wake(): void {
    if (this.#waiters.size === 0 || this.blocked) return;
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) wake();
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
