/**
 * ic-ws-devnet figures: agent round trips, in-process update throughput and host overhead per update (with
 * the default dirty-page rollback and, side by side, the whole-heap copy it replaced), install time of
 * the ~3.5 MB Azle counter, and what instruction metering costs per update (metered vs unmetered, side by
 * side). Run from packages/devnet: `pnpm bench` (writes bench/results/devnet.json).
 *
 * Targets (exit code 1 on a miss): host overhead per update < 2 ms median with a heap of at least 16 MiB;
 * install < 1 s (median of 5). Host overhead = an update's total time minus the time inside the wasm
 * (inspect_message and the update method): heap snapshot, commit, rollback, dispatch.
 */
import { Principal } from '@dfinity/principal';
import { report } from '../../../scripts/bench-kit';
import { Clock } from '../src/scheduling/clock';
import type { HeapRollbackMode } from '../src/execution/heap-rollback';
import { Subnet } from '../src/scheduling/subnet';
import { buildCounter, counterInitArg } from '../tests/canisters/counter-fixture';
import { measureAgentRoundTrips } from './agent-bench';
import { measureInProcess, type UpdateFigures } from './in-process-bench';
import { measureRequestStatusScaling } from './request-status-bench';
import { measureRetainedStatusMemory } from './request-status-memory';
import { measureMeteringOverhead } from './metering-bench';

const MIB = 1024 * 1024;
const HOST_OVERHEAD_TARGET_US = 2_000;
const INSTALL_TARGET_MS = 1_000;
const RETAINED_RATIO_TARGET = 1.5;

/** Installs `wasm` once on a fresh subnet rolling back by `mode`; returns the milliseconds it took. */
async function timeInstall(wasm: Uint8Array, mode: HeapRollbackMode): Promise<number> {
  const subnet = new Subnet({ clock: Clock.manual(), dataCertificate: () => new Uint8Array(0), heapRollback: mode });
  const started = performance.now();
  await subnet.install({ wasm, arg: counterInitArg('install'), canisterId: Principal.fromText('rwlgt-iiaaa-aaaaa-aaaaa-cai') });
  const elapsed = performance.now() - started;
  await subnet.close();
  return elapsed;
}

/**
 * The first install (it also instruments and compiles the wasm, which later installs find cached), then
 * `count` installs per strategy, alternating so that load drift hits both alike; medians.
 */
async function measureInstalls(wasm: Uint8Array, count: number): Promise<{ firstMs: number; medianMs: number; fullCopyMedianMs: number }> {
  const firstMs = await timeInstall(wasm, 'dirty-pages');
  await timeInstall(wasm, 'full-copy'); // its own first compile
  const samples: Record<'dirty-pages' | 'full-copy', number[]> = { 'dirty-pages': [], 'full-copy': [] };
  for (let i = 0; i < count; i++) {
    for (const mode of ['dirty-pages', 'full-copy'] as const) samples[mode].push(await timeInstall(wasm, mode));
  }
  const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
  return { firstMs, medianMs: median(samples['dirty-pages']), fullCopyMedianMs: median(samples['full-copy']) };
}

const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;

async function main(): Promise<void> {
  const { wasm } = await buildCounter();
  // First, while the process holds little else: heap per retained request status.
  const statusMemory = measureRetainedStatusMemory(20_000, Principal.fromText('lxzze-o7777-77777-aaaaa-cai'));
  const install = await measureInstalls(wasm, 5);
  const inProcess = await measureInProcess(wasm, ['dirty-pages', 'full-copy'], { updates: 300, rounds: 5, bigHeapBytes: 16 * MIB });
  const agent = await measureAgentRoundTrips(wasm, { queries: 200, updates: 100 });
  const retained = await measureRequestStatusScaling(wasm, { small: 100, large: 20_000, rounds: 5, perRound: 40 });
  const metering = await measureMeteringOverhead({ updates: 100, rounds: 5 });

  const label = (figures: UpdateFigures): string =>
    `${figures.strategy === 'dirty-pages' ? 'after (dirty-pages)' : 'before (full-copy)'}, heap ${figures.heapMiB} MiB`;
  const rows: Record<string, unknown>[] = [
    { figure: 'agent query round trip (warm)', median: round(agent.query.medianMs), p99: round(agent.query.p99Ms), unit: 'ms' },
    { figure: 'agent sync (v3) update round trip', median: round(agent.update.medianMs), p99: round(agent.update.p99Ms), unit: 'ms' },
    ...inProcess.map((figures) => ({ figure: `in-process updates/s, ${label(figures)}`, median: figures.updatesPerSec, p99: '', unit: 'updates/s' })),
    ...inProcess.map((figures) => ({
      figure: `host overhead per update, ${label(figures)}`,
      median: round(figures.hostMedianUs / 1000, 3),
      p99: round(figures.hostP99Us / 1000, 3),
      unit: 'ms',
    })),
    ...inProcess.map((figures) => ({ figure: `time in wasm per update, ${label(figures)}`, median: round(figures.wasmMedianUs / 1000, 3), p99: '', unit: 'ms' })),
    ...retained.sides.map((side) => ({ figure: `sync update over HTTP, devnet cost, ${side.retained} statuses retained`, median: round(side.medianMs), p99: '', unit: 'ms' })),
    { figure: `heap per retained request status (${statusMemory.count} retained, after a full GC)`, median: Math.round(statusMemory.bytesPerStatus), p99: '', unit: 'bytes' },
    ...Object.entries(retained.rebuildMs).map(([count, ms]) => ({ figure: `before: rebuild of the request_status subtree per change, ${count} statuses`, median: round(ms), p99: '', unit: 'ms' })),
    { figure: 'install of the counter (3.5 MB wasm), first (instruments + compiles)', median: Math.round(install.firstMs), p99: '', unit: 'ms' },
    { figure: 'install of the counter (3.5 MB wasm), median of 5, dirty-pages', median: Math.round(install.medianMs), p99: '', unit: 'ms' },
    { figure: 'install of the counter (3.5 MB wasm), median of 5, full-copy', median: Math.round(install.fullCopyMedianMs), p99: '', unit: 'ms' },
    ...metering.map((figures) => ({
      figure: `metering overhead per update, ${figures.workload}: metered / unmetered (min-max)`,
      median: figures.ratioMedian,
      p99: `${figures.ratioMin}-${figures.ratioMax}`,
      unit: 'ratio',
    })),
  ];

  const bigAfter = inProcess.find((figures) => figures.strategy === 'dirty-pages' && figures.heapMiB >= 16);
  const bigBefore = inProcess.find((figures) => figures.strategy === 'full-copy' && figures.heapMiB >= 16);
  const targets = [
    {
      target: `host overhead per update < ${HOST_OVERHEAD_TARGET_US / 1000} ms median, heap >= 16 MiB`,
      measured: `${round((bigAfter?.hostMedianUs ?? NaN) / 1000, 3)} ms at ${bigAfter?.heapMiB} MiB (before: ${round((bigBefore?.hostMedianUs ?? NaN) / 1000, 3)} ms)`,
      pass: (bigAfter?.hostMedianUs ?? Infinity) < HOST_OVERHEAD_TARGET_US,
    },
    {
      target: `update cost with 20 000 vs 100 statuses retained <= ${RETAINED_RATIO_TARGET}x (median of per-round ratios)`,
      measured: `min ${round(retained.ratio.min)} / median ${round(retained.ratio.median)} / max ${round(retained.ratio.max)} over ${retained.ratios.length} rounds`,
      pass: retained.ratio.median <= RETAINED_RATIO_TARGET,
    },
    {
      target: `install < ${INSTALL_TARGET_MS / 1000} s (median of 5)`,
      measured: `${Math.round(install.medianMs)} ms (first: ${Math.round(install.firstMs)} ms; full-copy: ${Math.round(install.fullCopyMedianMs)} ms)`,
      pass: install.medianMs < INSTALL_TARGET_MS,
    },
  ];

  console.log('\n# in-process detail (µs per update; copied pages = 64 KiB heap pages per update)');
  console.table(inProcess);
  console.log('\n# instruction metering: per-update time metered vs unmetered (µs, medians over rounds)');
  console.table(metering);
  report('devnet', rows, { inProcess, agent, retained, statusMemory, install, metering, targets });
  for (const target of targets) console.log(`${target.pass ? 'PASS' : 'MISS'}  ${target.target}: ${target.measured}`);
  if (targets.some((target) => !target.pass)) process.exitCode = 1;
}

await main();
