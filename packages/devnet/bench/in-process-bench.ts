/**
 * In-process figures: back-to-back trivial updates (`increment`) straight into a `Subnet`, no HTTP, split into
 * time inside the wasm and host overhead (everything else: heap snapshot, commit or rollback, inspect_message
 * rollback, dispatch). Runs with the counter's natural heap and with the heap grown to at least 16 MiB.
 */
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { Clock } from '../src/scheduling/clock';
import type { ExecutionStats } from '../src/execution/execution-stats';
import type { HeapRollbackMode } from '../src/execution/heap-rollback';
import { Subnet } from '../src/scheduling/subnet';
import { percentiles } from '../../../scripts/bench-kit';
import { counterInitArg, NO_ARGS } from '../tests/canisters/counter-fixture';

const USER = Principal.fromUint8Array(Uint8Array.from([7, 7, 7, 7, 7, 7, 7, 7, 7, 2]));
const MIB = 1024 * 1024;

/** Per-update figures of one heap size and rollback strategy. */
export interface UpdateFigures {
  strategy: HeapRollbackMode;
  heapMiB: number;
  updatesPerSec: number;
  totalMedianUs: number;
  wasmMedianUs: number;
  hostMedianUs: number;
  hostP99Us: number;
  /** Heap pages copied per update (inspect_message and update together), median. */
  copiedPagesMedian: number;
}

/** A counter canister on its own subnet, with the execution stats of the update being measured. */
export class CounterOnSubnet {
  private executions: ExecutionStats[] = [];
  readonly subnet: Subnet;
  id!: Principal;

  constructor(readonly strategy: HeapRollbackMode) {
    this.subnet = new Subnet({
      clock: Clock.manual(Date.UTC(2025, 0, 1)),
      dataCertificate: () => new Uint8Array(0),
      heapRollback: strategy,
      onExecution: (stats) => this.executions.push(stats),
    });
  }

  async install(wasm: Uint8Array): Promise<void> {
    this.id = await this.subnet.install({ wasm, arg: counterInitArg('bench') });
    await this.subnet.tick();
  }

  /** Current wasm memory size: the heap size the last execution reported. */
  get heapBytes(): number {
    return this.executions.at(-1)?.heapBytes ?? 0;
  }

  /** Grows the heap with ballast until the wasm memory holds at least `bytes`. */
  async growHeapTo(bytes: number): Promise<void> {
    await this.call('increment');
    let ballast = Math.max(MIB, bytes - this.heapBytes);
    while (this.heapBytes < bytes) {
      const outcome = await this.call('growHeap', new Uint8Array(IDL.encode([IDL.Nat32], [ballast])));
      if (outcome.status !== 'replied') throw new Error(`growHeap failed: ${JSON.stringify(outcome)}`);
      ballast += MIB;
    }
  }

  call(methodName: string, arg: Uint8Array = NO_ARGS) {
    return this.subnet.update({ canisterId: this.id, methodName, arg, caller: USER });
  }

  /** Runs `count` back-to-back `increment` updates and splits their cost. */
  async measureUpdates(count: number): Promise<UpdateFigures> {
    for (let i = 0; i < 20; i++) await this.call('increment'); // warm-up
    const totals: number[] = [];
    const wasm: number[] = [];
    const host: number[] = [];
    const pages: number[] = [];
    const started = performance.now();
    for (let i = 0; i < count; i++) {
      this.executions = [];
      const t0 = performance.now();
      const outcome = await this.call('increment');
      const totalMs = performance.now() - t0;
      if (outcome.status !== 'replied') throw new Error(`increment failed: ${JSON.stringify(outcome)}`);
      const wasmMs = this.executions.reduce((sum, stats) => sum + stats.wasmMs, 0);
      totals.push(totalMs * 1000);
      wasm.push(wasmMs * 1000);
      host.push((totalMs - wasmMs) * 1000);
      pages.push(this.executions.reduce((sum, stats) => sum + stats.copiedPages, 0));
    }
    const elapsedMs = performance.now() - started;
    const hostPercentiles = percentiles(host);
    return {
      strategy: this.strategy,
      heapMiB: round(this.heapBytes / MIB, 2),
      updatesPerSec: Math.round((count * 1000) / elapsedMs),
      totalMedianUs: Math.round(percentiles(totals).medianUs),
      wasmMedianUs: Math.round(percentiles(wasm).medianUs),
      hostMedianUs: Math.round(hostPercentiles.medianUs),
      hostP99Us: Math.round(hostPercentiles.p99Us),
      copiedPagesMedian: percentiles(pages).medianUs,
    };
  }

  close(): Promise<void> {
    return this.subnet.close();
  }
}

/**
 * Measures both strategies at both heap sizes. The strategies alternate in rounds and the median round is
 * kept, so machine load drifting during the run hits both alike.
 */
export async function measureInProcess(
  wasm: Uint8Array,
  strategies: readonly HeapRollbackMode[],
  options: { updates: number; rounds: number; bigHeapBytes: number },
): Promise<UpdateFigures[]> {
  const rows: UpdateFigures[] = [];
  for (const big of [false, true]) {
    const counters = strategies.map((strategy) => new CounterOnSubnet(strategy));
    for (const counter of counters) {
      await counter.install(wasm);
      if (big) await counter.growHeapTo(options.bigHeapBytes);
    }
    const rounds = new Map<HeapRollbackMode, UpdateFigures[]>();
    for (let round = 0; round < options.rounds; round++) {
      for (const counter of counters) {
        const figures = await counter.measureUpdates(options.updates);
        rounds.set(counter.strategy, [...(rounds.get(counter.strategy) ?? []), figures]);
      }
    }
    for (const counter of counters) {
      const all = (rounds.get(counter.strategy) ?? []).sort((a, b) => a.hostMedianUs - b.hostMedianUs);
      const median = all[Math.floor(all.length / 2)];
      if (median !== undefined) rows.push(median);
      await counter.close();
    }
  }
  return rows;
}

function round(value: number, digits: number): number {
  return Math.round(value * 10 ** digits) / 10 ** digits;
}
