import type { KeyValueStorage } from '../../src/delivery/local-storage-outbox-store';

/**
 * A `localStorage` stand-in for Node tests: the Web Storage calls the outbox store uses, over a Map. Sharing one
 * between two `IcWebSocket`s is what a page reload (or a second tab) looks like to the store.
 */
export class MemoryStorage implements KeyValueStorage {
  readonly entries = new Map<string, string>();
  /** When set, `setItem` throws it (a full or disabled storage). */
  failWith: Error | undefined;

  get length(): number {
    return this.entries.size;
  }

  key(index: number): string | null {
    return [...this.entries.keys()][index] ?? null;
  }

  getItem(key: string): string | null {
    return this.entries.get(key) ?? null;
  }

  setItem(key: string, value: string): void {
    if (this.failWith !== undefined) throw this.failWith;
    this.entries.set(key, value);
  }

  removeItem(key: string): void {
    this.entries.delete(key);
  }
}
