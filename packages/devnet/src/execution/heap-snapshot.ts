/**
 * The `'full-copy'` heap rollback: a copy of a wasm instance's whole linear memory and mutable globals, taken
 * before an execution unless the previous one left it current, and copied back when an execution is rolled
 * back. The copy goes into a buffer kept between executions: filling an existing buffer is far cheaper than
 * allocating a fresh one each time (~0.5 ms versus ~35 ms for 11 MB). Kept as the reference the
 * `'dirty-pages'` strategy is benchmarked and checked against, and as its fallback.
 */
import { ErrorCode, IcWsError } from 'ic-ws-protocol';
import type { HeapRollback } from './heap-rollback';
import { PAGE_SIZE } from './sparse-stable-memory';

/** Snapshot of heap and globals, reused across executions. */
export class HeapSnapshot implements HeapRollback {
  private buffer = new Uint8Array(0);
  private length = 0;
  private globalValues: unknown[] = [];
  /** True while the snapshot equals the instance's current state (no committed execution since capture). */
  private valid = false;
  lastCopiedPages = 0;

  constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly globals: readonly WebAssembly.Global[],
  ) {}

  /** Captures the current state unless the snapshot already holds it. */
  begin(): void {
    this.lastCopiedPages = 0;
    if (this.valid) return;
    const heap = new Uint8Array(this.memory.buffer);
    if (this.buffer.length < heap.length) {
      // Leave headroom so that a heap growing page by page does not reallocate every time.
      this.buffer = new Uint8Array(heap.length + (heap.length >> 3));
    }
    this.buffer.set(heap);
    this.length = heap.length;
    this.globalValues = this.globals.map((global) => global.value);
    this.valid = true;
    this.lastCopiedPages = heap.length / PAGE_SIZE;
  }

  /** The instance's state moved on: the next execution captures it afresh. */
  commit(): void {
    this.valid = false;
  }

  resync(): void {
    this.valid = false;
  }

  /** Puts the captured state back. Memory cannot shrink: pages grown since are zeroed, as fresh pages are. */
  rollback(): void {
    if (!this.valid) throw new IcWsError(ErrorCode.CanisterTrapped, 'devnet bug: heap rollback without a snapshot');
    const heap = new Uint8Array(this.memory.buffer);
    heap.set(this.buffer.subarray(0, this.length));
    if (heap.length > this.length) heap.fill(0, this.length);
    this.globals.forEach((global, index) => {
      global.value = this.globalValues[index];
    });
    this.lastCopiedPages += heap.length / PAGE_SIZE;
  }
}
