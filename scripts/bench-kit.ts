/**
 * Tiny benchmark kit shared by every package's `bench/` scripts: time a function, print a table, write JSON.
 * Figures that are compared run side by side in one process, because these machines are noisy.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Measurement {
  /** Operations per second (iterations / elapsed). */
  opsPerSec: number;
  /** Mean cost of one operation, microseconds. */
  meanUs: number;
  /** Median and 99th percentile of per-batch cost, microseconds per operation. */
  medianUs: number;
  p99Us: number;
  iterations: number;
}

/**
 * Runs `fn` in batches until `minTimeMs` has passed (after a short warm-up) and reports per-operation cost.
 * `fn` receives the iteration index so it can vary its input.
 */
export function measure(fn: (i: number) => unknown, options: { minTimeMs?: number; batch?: number } = {}): Measurement {
  const minTimeMs = options.minTimeMs ?? 500;
  const batch = options.batch ?? 100;
  let i = 0;
  const warmupEnd = performance.now() + Math.min(100, minTimeMs / 5);
  while (performance.now() < warmupEnd) fn(i++);
  const samples: number[] = [];
  const start = performance.now();
  let iterations = 0;
  while (performance.now() - start < minTimeMs) {
    const t0 = performance.now();
    for (let k = 0; k < batch; k++) fn(i++);
    samples.push(((performance.now() - t0) * 1000) / batch);
    iterations += batch;
  }
  const elapsedMs = performance.now() - start;
  return { opsPerSec: (iterations * 1000) / elapsedMs, meanUs: (elapsedMs * 1000) / iterations, ...percentiles(samples), iterations };
}

/** Median and p99 of a list of samples. */
export function percentiles(samples: readonly number[]): { medianUs: number; p99Us: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { medianUs: at(0.5), p99Us: at(0.99) };
}

/** Prints `rows` as a table and writes `{ name, date, node, rows, ...extra }` to `bench/results/<name>.json`. */
export function report(name: string, rows: Record<string, unknown>[], extra: Record<string, unknown> = {}): string {
  console.log(`\n# ${name}`);
  console.table(rows);
  const dir = join(process.cwd(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ name, date: new Date().toISOString(), node: process.version, rows, ...extra }, null, 2) + '\n');
  console.log(`wrote ${file}`);
  return file;
}

/** Smallest, median and largest of `values`: how a ratio measured over several rounds is reported. */
export function spread(values: readonly number[]): { min: number; median: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { min: sorted[0] ?? NaN, median: sorted[Math.floor((sorted.length - 1) / 2)] ?? NaN, max: sorted[sorted.length - 1] ?? NaN };
}
