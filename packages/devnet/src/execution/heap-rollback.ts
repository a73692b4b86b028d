/**
 * How a canister's heap and mutable globals are put back after a trap, a query or inspect_message. Two
 * strategies share this interface: `'full-copy'` copies the whole heap before an execution and back after a
 * rollback; `'dirty-pages'` instruments the wasm's stores to record the 64 KiB pages an execution writes and
 * copies only those, so the cost follows what an execution touches instead of the heap's size.
 */

/** Heap rollback strategy of a `Subnet`. `'checked'` runs `'dirty-pages'` and verifies it against a full copy. */
export type HeapRollbackMode = 'dirty-pages' | 'full-copy' | 'checked';

/** Keeps a committed copy of an instance's heap and globals around each execution. */
export interface HeapRollback {
  /** Called before every execution. */
  begin(): void;
  /** The execution succeeded and its changes become the committed state. */
  commit(): void;
  /** The execution trapped or must not persist: heap and globals return to the committed state. */
  rollback(): void;
  /** The instance was swapped back in after a failed upgrade: forget any cached state. */
  resync(): void;
  /** 64 KiB pages copied around the last execution, from `begin()` to `commit()`/`rollback()` (diagnostics). */
  readonly lastCopiedPages: number;
}
