/**
 * Stable memory backed by 64 KiB chunks allocated on first write. Azle grows stable memory to ~72 MB at init
 * but touches little of it. A journal of the chunks an execution changes makes rollback cost proportional
 * to what was written, not to the memory's size.
 */
import { CanisterTrap } from './canister-trap';

/** Bytes per wasm (and stable memory) page; also the chunk size. */
export const PAGE_SIZE = 65_536;
/** The IC's stable memory limit: 500 GiB. */
const MAX_PAGES = (500 * 1024 * 1024 * 1024) / PAGE_SIZE;

/** Committed stable memory contents captured by `SparseStableMemory.checkpoint()`. */
export interface StableCheckpoint {
  readonly chunks: ReadonlyMap<number, Uint8Array>;
  readonly pages: number;
}

/** Committed stable memory contents captured by `SparseStableMemory.checkpoint()`. */
export interface StableCheckpoint {
  readonly chunks: ReadonlyMap<number, Uint8Array>;
  readonly pages: number;
}

/** Sparse stable memory with execution-scoped rollback. */
export class SparseStableMemory {
  private readonly chunks = new Map<number, Uint8Array>();
  private pages = 0;
  /** Chunk contents as they were before the running execution first wrote them (undefined: absent). */
  private journal: Map<number, Uint8Array | undefined> | undefined;
  private pagesAtBegin = 0;

  /** Size in pages. */
  size(): number {
    return this.pages;
  }

  /** Grows by `delta` pages; returns the previous size, or -1 when the limit would be exceeded. */
  grow(delta: number): number {
    const previous = this.pages;
    if (delta < 0 || previous + delta > MAX_PAGES) return -1;
    this.pages += delta;
    return previous;
  }

  /** Copies `[offset, offset + target.length)` into `target`; traps when out of bounds. */
  read(target: Uint8Array, offset: number): void {
    this.checkBounds(offset, target.length, 'stable64_read');
    let done = 0;
    while (done < target.length) {
      const position = offset + done;
      const index = Math.floor(position / PAGE_SIZE);
      const within = position % PAGE_SIZE;
      const count = Math.min(PAGE_SIZE - within, target.length - done);
      const chunk = this.chunks.get(index);
      if (chunk === undefined) target.fill(0, done, done + count);
      else target.set(chunk.subarray(within, within + count), done);
      done += count;
    }
  }

  /** Copies `source` to `offset`; traps when out of bounds. */
  write(source: Uint8Array, offset: number): void {
    this.checkBounds(offset, source.length, 'stable64_write');
    let done = 0;
    while (done < source.length) {
      const position = offset + done;
      const index = Math.floor(position / PAGE_SIZE);
      const within = position % PAGE_SIZE;
      const count = Math.min(PAGE_SIZE - within, source.length - done);
      this.writableChunk(index).set(source.subarray(done, done + count), within);
      done += count;
    }
  }

  /** Starts journaling an execution. */
  begin(): void {
    this.journal = new Map();
    this.pagesAtBegin = this.pages;
  }

  /** Keeps the running execution's writes. */
  commit(): void {
    this.journal = undefined;
  }

  /** Undoes every write and grow since `begin()`. */
  rollback(): void {
    if (this.journal === undefined) return;
    for (const [index, previous] of this.journal) {
      if (previous === undefined) this.chunks.delete(index);
      else this.chunks.set(index, previous);
    }
    this.pages = this.pagesAtBegin;
    this.journal = undefined;
  }

  /**
   * Captures the committed contents cheaply. Every write runs inside an execution, whose journal replaces a
   * chunk by a copy before its first write, so chunk objects captured here are never mutated afterwards.
   */
  checkpoint(): StableCheckpoint {
    return { chunks: new Map(this.chunks), pages: this.pages };
  }

  /** Returns to a checkpoint (a failed upgrade). */
  restore(checkpoint: StableCheckpoint): void {
    this.chunks.clear();
    for (const [index, chunk] of checkpoint.chunks) this.chunks.set(index, chunk);
    this.pages = checkpoint.pages;
    this.journal = undefined;
  }

  /** Number of chunks actually allocated (for tests and diagnostics). */
  allocatedChunks(): number {
    return this.chunks.size;
  }

  private writableChunk(index: number): Uint8Array {
    const existing = this.chunks.get(index);
    if (this.journal !== undefined && !this.journal.has(index)) {
      this.journal.set(index, existing);
      // Copy-on-write: the journal keeps the old chunk object, the execution writes into a fresh copy.
      const copy = existing === undefined ? new Uint8Array(PAGE_SIZE) : existing.slice();
      this.chunks.set(index, copy);
      return copy;
    }
    if (existing !== undefined) return existing;
    const created = new Uint8Array(PAGE_SIZE);
    this.chunks.set(index, created);
    return created;
  }

  private checkBounds(offset: number, length: number, api: string): void {
    if (offset < 0 || length < 0 || offset + length > this.pages * PAGE_SIZE) {
      throw new CanisterTrap('contract-violation', `${api}: stable memory out of bounds`);
    }
  }
}
