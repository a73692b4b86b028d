/**
 * What instruction metering costs the devnet: the same updates on a metered and an unmetered subnet, side by
 * side in rounds (the order alternating), per-update wall time, and the ratio metered / unmetered per round
 * (min / median / max). Workloads: the empty update of the minimal canister, the counter's `increment`
 * (inspect_message, certified data), and a compute-bound loop where metering weighs most.
 */
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { Clock } from '../src/scheduling/clock';
import { Subnet } from '../src/scheduling/subnet';
import { percentiles } from '../../../scripts/bench-kit';
import { buildCounter, counterInitArg, NO_ARGS } from '../tests/canisters/counter-fixture';
import { buildLimits, buildMinimal } from '../tests/canisters/metering-fixtures';

const USER = Principal.fromUint8Array(Uint8Array.from([7, 7, 7, 7, 7, 7, 7, 7, 7, 3]));

/** One workload's figures. */
export interface MeteringFigures {
  workload: string;
  /** Instructions one update of the workload runs (metered subnet). */
  instructions: string;
  meteredMedianUs: number;
  unmeteredMedianUs: number;
  /** Metered / unmetered per-update time, over the rounds. */
  ratioMin: number;
  ratioMedian: number;
  ratioMax: number;
}

interface Workload {
  name: string;
  wasm: Uint8Array;
  initArg?: Uint8Array;
  method: string;
  arg: Uint8Array;
}

class Target {
  readonly subnet: Subnet;
  id!: Principal;

  constructor(metering: boolean) {
    this.subnet = new Subnet({ clock: Clock.manual(Date.UTC(2025, 0, 1)), dataCertificate: () => new Uint8Array(0), metering });
  }

  async install(workload: Workload): Promise<void> {
    this.id = await this.subnet.install({ wasm: workload.wasm, ...(workload.initArg ? { arg: workload.initArg } : {}) });
    await this.subnet.tick();
  }

  /** Runs `count` updates; returns the median per-update time (µs) and the last update's instructions. */
  async run(workload: Workload, count: number): Promise<{ medianUs: number; instructions: bigint | undefined }> {
    const times: number[] = [];
    let instructions: bigint | undefined;
    for (let i = 0; i < count; i++) {
      const t0 = performance.now();
      const outcome = await this.subnet.update({ canisterId: this.id, methodName: workload.method, arg: workload.arg, caller: USER });
      times.push((performance.now() - t0) * 1000);
      if (outcome.status !== 'replied') throw new Error(`${workload.method}: ${outcome.rejectMessage}`);
      instructions = outcome.cost?.instructions;
    }
    return { medianUs: percentiles(times).medianUs, instructions };
  }
}

const round = (value: number, digits: number): number => Math.round(value * 10 ** digits) / 10 ** digits;

/** Measures every workload, metered and unmetered, `rounds` rounds of `updates` updates each. */
export async function measureMeteringOverhead(options: { updates: number; rounds: number }): Promise<MeteringFigures[]> {
  const [minimal, limits, counter] = await Promise.all([buildMinimal(), buildLimits(), buildCounter()]);
  const workloads: Workload[] = [
    { name: 'empty update (minimal canister `noop`)', wasm: minimal, method: 'noop', arg: NO_ARGS },
    { name: 'counter `increment` (with inspect_message)', wasm: counter.wasm, initArg: counterInitArg('bench'), method: 'increment', arg: NO_ARGS },
    { name: 'compute-bound loop (`countLoop(20000)`)', wasm: limits, method: 'countLoop', arg: new Uint8Array(IDL.encode([IDL.Nat32], [20_000])) },
  ];
  const figures: MeteringFigures[] = [];
  for (const workload of workloads) {
    const metered = new Target(true);
    const unmetered = new Target(false);
    await metered.install(workload);
    await unmetered.install(workload);
    // Warm-up: V8 tiers hot functions up in both.
    await metered.run(workload, 20);
    await unmetered.run(workload, 20);
    const ratios: number[] = [];
    const meteredUs: number[] = [];
    const unmeteredUs: number[] = [];
    let instructions: bigint | undefined;
    for (let r = 0; r < options.rounds; r++) {
      const pair = r % 2 === 0 ? [metered, unmetered] : [unmetered, metered];
      const results = new Map<Target, number>();
      for (const target of pair) {
        const result = await target.run(workload, options.updates);
        results.set(target, result.medianUs);
        if (target === metered) instructions = result.instructions;
      }
      meteredUs.push(results.get(metered)!);
      unmeteredUs.push(results.get(unmetered)!);
      ratios.push(results.get(metered)! / results.get(unmetered)!);
    }
    await metered.subnet.close();
    await unmetered.subnet.close();
    const sorted = [...ratios].sort((a, b) => a - b);
    figures.push({
      workload: workload.name,
      instructions: instructions === undefined ? '-' : instructions.toString(),
      meteredMedianUs: Math.round(percentiles(meteredUs).medianUs),
      unmeteredMedianUs: Math.round(percentiles(unmeteredUs).medianUs),
      ratioMin: round(sorted[0]!, 2),
      ratioMedian: round(percentiles(ratios).medianUs, 2),
      ratioMax: round(sorted.at(-1)!, 2),
    });
  }
  return figures;
}
