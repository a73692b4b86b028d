/**
 * What one execution cost, reported through `SubnetOptions.onExecution`: instructions and cycles as the replica
 * would charge them, and timings so benchmarks can split an update's cost into time inside the canister and
 * host overhead (heap snapshot and rollback, bookkeeping).
 */
import type { ExecutionKind } from './execution-context';

/** What one execution cost. */
export interface ExecutionStats {
  /** Text id of the canister. */
  canisterId: string;
  kind: ExecutionKind;
  /** The method run, for updates and queries. */
  methodName?: string;
  /** Instructions executed, System API charges included (undefined when metering is off). */
  instructions: bigint | undefined;
  /** Cycles the replica would charge for it on a 13-node subnet (0 for queries and inspect_message). */
  cycles: bigint;
  /** Whether it trapped (the instruction limit included). */
  trapped: boolean;
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

const grouped = (value: bigint): string => value.toString().replace(/\B(?=(\d{3})+(?!\d))/g, '_');

/** One log line for an execution: `update increment: 1_536_270 instructions, 6_536_270 cycles, 1.1 ms`. */
export function describeExecution(stats: ExecutionStats): string {
  const what = stats.methodName === undefined ? stats.kind : `${stats.kind} ${stats.methodName}`;
  const instructions = stats.instructions === undefined ? 'unmetered' : `${grouped(stats.instructions)} instructions`;
  const cycles = stats.cycles === 0n ? 'free' : `${grouped(stats.cycles)} cycles`;
  return `${what}: ${instructions}, ${cycles}, ${stats.totalMs.toFixed(1)} ms${stats.trapped ? ', trapped' : ''}`;
}
