/**
 * Write-behind for records kept in stable storage: between {@link hold} and {@link flush}, a record changed
 * several times is written once, at the flush (a batch of sends changes a client's and a gateway's record per
 * message). Outside a hold, writes go through at once.
 */
export class HeldWrites<T> {
  private held: Set<T> | undefined;

  /**
   * @param write writes one record to stable storage
   * @param isLive whether the record's owner is still registered (a removed one is not written back)
   */
  constructor(
    private readonly write: (item: T) => void,
    private readonly isLive: (item: T) => boolean,
  ) {}

  /** Writes `item` now, or at the flush while held. */
  save(item: T): void {
    if (this.held !== undefined) this.held.add(item);
    else this.write(item);
  }

  /** Forgets a pending write (the record was deleted). */
  drop(item: T): void {
    this.held?.delete(item);
  }

  /** Holds writes until {@link flush}. */
  hold(): void {
    this.held ??= new Set();
  }

  /** Writes what was held (of owners still registered) and stops holding. */
  flush(): void {
    const held = this.held;
    this.held = undefined;
    for (const item of held ?? []) if (this.isLive(item)) this.write(item);
  }
}
