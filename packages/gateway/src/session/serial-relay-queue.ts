/**
 * Relays one session's envelopes one at a time, in the order they arrived. The IC checks each
 * `ws_message`'s sequence number, so two envelopes of one client must never race; different sessions each
 * have their own queue and so run in parallel. How many envelopes may wait is the session's flow control's
 * business (it stops reading the socket); `maxPending` is only a last line of defence against a client
 * that ignores it.
 */
const SETTLED: Promise<void> = Promise.resolve();

export class SerialRelayQueue<T> {
  readonly #pending: T[] = [];
  readonly #run: (item: T) => Promise<void>;
  readonly #maxPending: number;
  #running = false;
  #stopped = false;
  // Only while running: an idle queue (most sessions, most of the time) holds no promise or resolver.
  #idle: Promise<void> = SETTLED;
  #resolveIdle: (() => void) | null = null;

  /**
   * @param run - relays one item (retrying as it sees fit); a rejection stops the queue (the session closes).
   * @param onFailure - called once with the first rejection.
   * @param onSettled - called for every item once it is done with: relayed, failed or dropped.
   * @param maxPending - items that may wait behind the one running.
   */
  constructor(
    run: (item: T) => Promise<void>,
    private readonly onFailure: (error: unknown, item: T) => void,
    private readonly onSettled: (item: T) => void,
    maxPending: number,
  ) {
    this.#run = run;
    this.#maxPending = maxPending;
  }

  /** Queues `item`; returns false (and queues nothing) when the queue is full or stopped. */
  push(item: T): boolean {
    if (this.#stopped || this.#pending.length >= this.#maxPending) return false;
    this.#pending.push(item);
    if (!this.#running) void this.#drain();
    return true;
  }

  /** Drops everything not yet started; the running relay finishes but nothing follows it. */
  stop(): void {
    this.#stopped = true;
    const dropped = this.#pending.splice(0);
    for (const item of dropped) this.onSettled(item);
  }

  /** Number of items waiting (not counting the one running). */
  get pending(): number {
    return this.#pending.length;
  }

  /** Resolves when nothing is running or waiting. */
  whenIdle(): Promise<void> {
    return this.#running ? this.#idle : Promise.resolve();
  }

  async #drain(): Promise<void> {
    this.#running = true;
    this.#idle = new Promise((resolve) => (this.#resolveIdle = resolve));
    try {
      for (let item = this.#pending.shift(); item !== undefined; item = this.#pending.shift()) {
        try {
          await this.#run(item);
        } catch (error) {
          this.onSettled(item);
          this.stop();
          this.onFailure(error, item);
          break;
        }
        this.onSettled(item);
        if (this.#stopped) break;
      }
    } finally {
      this.#running = false;
      const resolveIdle = this.#resolveIdle;
      this.#idle = SETTLED;
      this.#resolveIdle = null;
      resolveIdle?.();
    }
  }
}
