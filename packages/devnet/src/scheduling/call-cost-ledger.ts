/**
 * Adds up what one call costs while it runs: every execution it causes (on the called canister and on the
 * canisters that one calls) and the cycles the replica charges beyond executions (ingress induction,
 * inter-canister call fees). The call's call contexts share one ledger.
 */
import type { ExecutionStats } from '../execution/execution-stats';
import type { CallCost } from '../execution/types';

/** The running total of one call's cost. */
export class CallCostLedger {
  private readonly executions: ExecutionStats[] = [];
  private instructions = 0n;
  private cycles: bigint;

  /** @param inductionCycles cycles charged before anything ran (ingress induction). */
  constructor(inductionCycles = 0n) {
    this.cycles = inductionCycles;
  }

  /** Records an execution the call caused. */
  recordExecution(stats: ExecutionStats): void {
    this.executions.push(stats);
    if (stats.kind !== 'inspect_message') this.instructions += stats.instructions ?? 0n;
    this.cycles += stats.cycles;
  }

  /** Records cycles charged outside executions (inter-canister call fees). */
  recordCycles(cycles: bigint): void {
    this.cycles += cycles;
  }

  /** The cost so far. */
  snapshot(): CallCost {
    return { instructions: this.instructions, cycles: this.cycles, executions: [...this.executions] };
  }
}
