/**
 * Relays one session's envelopes one at a time, in the order they arrived. The IC checks each
 * `ws_message`'s sequence number, so two envelopes of one client must never race; different sessions each
 * have their own queue and so run in parallel. How many envelopes may wait is the session's flow control's
 * business (it stops reading the socket); `maxPending` is only a last line of defence against a client
 * that ignores it.
 */
const SETTLED: Promise<void> = Promise.resolve();

/** What a {@link SerialRelayQueue} calls. */
export interface RelayQueueHandlers<T> {
  /** Relays one item (retrying as it sees fit); a rejection stops the queue (the session closes). */
  run(item: T): Promise<void>;
  /** Called once with the first rejection. */
  failed(error: unknown, item: T): void;
  /** Called for every item once it is done with: relayed, failed or dropped. */
  settled(item: T): void;
  /** Called each time the queue has run out of items (nothing running nor waiting). */
  idle?(): void;
}

export class SerialRelayQueue<T> {
  readonly #pending: T[] = [];
  readonly #maxPending: number;
  #running = false;
  #stopped = false;
  // Only while running: an idle queue (most sessions, most of the time) holds no promise or resolver.
  #idle: Promise<void> = SETTLED;
  #resolveIdle: (() => void) | null = null;

  /** @param maxPending - items that may wait behind the one running. */
  constructor(
    private readonly handlers: RelayQueueHandlers<T>,
    maxPending: number,
  ) {
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
    for (const item of dropped) this.handlers.settled(item);
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
          await this.handlers.run(item);
        } catch (error) {
          this.handlers.settled(item);
          this.stop();
          this.handlers.failed(error, item);
          break;
        }
        this.handlers.settled(item);
        if (this.#stopped) break;
      }
    } finally {
      this.#running = false;
      const resolveIdle = this.#resolveIdle;
      this.#idle = SETTLED;
      this.#resolveIdle = null;
      resolveIdle?.();
      this.handlers.idle?.();
    }
  }
}
