/**
 * The `'dirty-pages'` heap rollback. A committed copy of the heap is kept current page by page: after an
 * execution, only the pages the instrumented wasm (or the host, through the System API) marked dirty are
 * copied, into the committed copy on commit or back into memory on rollback. Memcmp-style scans and full
 * copies are avoided: cost follows what an execution writes, not the heap's size.
 */
import { ErrorCode, IcWsError } from 'ic-ws-protocol';
import type { HeapRollback } from './heap-rollback';
import { LAST_PAGE_EXPORT, MARK_HOOK_TABLE_EXPORT, PREVIOUS_PAGE_EXPORT, STORE_SPILL } from '../wasm/memory-write-instrumentation';
import { createPageMarker } from './page-marker';
import { PAGE_SIZE } from './sparse-stable-memory';

/** The dirty page bitmap of an instrumented instance and its cache of the last page marked. */
export interface DirtyPageTracker {
  bitmap: Uint8Array;
  /** The two pages marked last, which stores check before marking. */
  recentPages: readonly WebAssembly.Global[];
}

/** Connects an instance of a module rewritten by `instrumentMemoryWrites` to a fresh page bitmap. */
export function dirtyPageTracker(exports: WebAssembly.Exports): DirtyPageTracker {
  const hookTable = exports[MARK_HOOK_TABLE_EXPORT];
  const recentPages = [exports[LAST_PAGE_EXPORT], exports[PREVIOUS_PAGE_EXPORT]];
  if (!(hookTable instanceof WebAssembly.Table) || !recentPages.every((global) => global instanceof WebAssembly.Global)) {
    throw new IcWsError(ErrorCode.CanisterWasmInvalid, 'devnet bug: instrumented module lacks its dirty page exports');
  }
  const marker = createPageMarker();
  hookTable.set(0, marker.mark);
  return { bitmap: marker.bitmap, recentPages: recentPages as WebAssembly.Global[] };
}

/** Heap rollback by dirty pages. With `checked`, every commit and rollback is verified against memory. */
export class DirtyPageSnapshot implements HeapRollback {
  private committed = new Uint8Array(0);
  private committedLength = 0;
  private globalValues: unknown[] = [];
  lastCopiedPages = 0;

  constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly globals: readonly WebAssembly.Global[],
    private readonly tracker: DirtyPageTracker,
    private readonly checked = false,
  ) {
    this.resync();
  }

  begin(): void {
    // The cache of the last page marked must not skip a page whose mark the previous commit cleared.
    for (const global of this.tracker.recentPages) global.value = -1;
    this.lastCopiedPages = 0;
  }

  /** Marks `[start, start + length)` dirty: heap writes made by the host on the canister's behalf. */
  markWritten(start: number, length: number): void {
    if (length <= 0) return;
    const { bitmap } = this.tracker;
    const last = Math.min(Math.floor((start + length - 1) / PAGE_SIZE), bitmap.length - 1);
    for (let page = Math.floor(start / PAGE_SIZE); page <= last; page++) bitmap[page] = 1;
  }

  commit(): void {
    const heap = new Uint8Array(this.memory.buffer);
    this.reserve(heap.length);
    this.lastCopiedPages = this.forEachDirtyPage(heap.length, (from, to) => this.committed.set(heap.subarray(from, to), from));
    this.committedLength = heap.length;
    this.globalValues = this.globals.map((global) => global.value);
    if (this.checked) this.verify('commit');
  }

  /** Restores the dirty pages. Memory cannot shrink: grown pages stay, zeroed (the committed copy is zero there). */
  rollback(): void {
    const heap = new Uint8Array(this.memory.buffer);
    this.reserve(heap.length);
    this.lastCopiedPages = this.forEachDirtyPage(heap.length, (from, to) => heap.set(this.committed.subarray(from, to), from));
    this.committedLength = heap.length;
    this.globals.forEach((global, index) => {
      global.value = this.globalValues[index];
    });
    if (this.checked) this.verify('rollback');
  }

  /** Copies the whole heap and clears every mark. */
  resync(): void {
    const heap = new Uint8Array(this.memory.buffer);
    this.committed = new Uint8Array(heap.length);
    this.committed.set(heap);
    this.committedLength = heap.length;
    this.globalValues = this.globals.map((global) => global.value);
    this.tracker.bitmap.fill(0);
  }

  /** Calls `copy(from, to)` for each dirty page below `limit` (plus the spill of a store straddling its end), clearing the marks. */
  private forEachDirtyPage(limit: number, copy: (from: number, to: number) => void): number {
    const { bitmap } = this.tracker;
    const pages = Math.min(Math.ceil(limit / PAGE_SIZE), bitmap.length);
    let count = 0;
    for (let page = 0; page < pages; page++) {
      if (bitmap[page] === 0) continue;
      bitmap[page] = 0;
      const from = page * PAGE_SIZE;
      copy(from, Math.min(from + PAGE_SIZE + STORE_SPILL, limit, this.committed.length));
      count++;
    }
    return count;
  }

  /** Keeps the committed copy at least as long as memory; bytes past the committed length stay zero. */
  private reserve(length: number): void {
    if (this.committed.length >= length) return;
    const grown = new Uint8Array(length + (length >> 3));
    grown.set(this.committed.subarray(0, this.committedLength));
    this.committed = grown;
  }

  private verify(stage: 'commit' | 'rollback'): void {
    const heap = new Uint8Array(this.memory.buffer);
    const committed = this.committed.subarray(0, heap.length);
    if (heap.length !== this.committedLength || Buffer.compare(heap, committed) !== 0) {
      const page = Math.floor(heap.findIndex((byte, index) => byte !== committed[index]) / PAGE_SIZE);
      throw new IcWsError(ErrorCode.CanisterTrapped, `devnet bug: heap page ${page} differs from the committed copy after ${stage}`);
    }
    if (this.globals.some((global, index) => global.value !== this.globalValues[index])) {
      throw new IcWsError(ErrorCode.CanisterTrapped, `devnet bug: a global differs from the committed copy after ${stage}`);
    }
  }
}
