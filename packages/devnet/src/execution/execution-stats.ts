/**
 * Timings of one execution, reported through `SubnetOptions.onExecution` so benchmarks can split an update's
 * cost into time inside the canister and host overhead (heap snapshot and rollback, bookkeeping).
 */
import type { ExecutionKind } from './execution-context';

/** What one execution cost. */
export interface ExecutionStats {
  /** Text id of the canister. */
  canisterId: string;
  kind: ExecutionKind;
  /** Time inside the wasm entry point, System API calls included, ms. */
  wasmMs: number;
  /** Time of the whole execution: heap snapshot, wasm, commit or rollback, ms. */
  totalMs: number;
  /** Size of the canister's wasm memory after the execution, bytes. */
  heapBytes: number;
  /** 64 KiB heap pages copied to snapshot, commit or roll back this execution. */
  copiedPages: number;
  /** Whether the execution was rolled back (trap, query, inspect_message). */
  rolledBack: boolean;
}
