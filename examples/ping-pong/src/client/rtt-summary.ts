/** Round-trip times of a run, in milliseconds. */
export interface RttSummary {
  count: number;
  min: number;
  median: number;
  /** 99th percentile (nearest rank): 99 % of round trips took at most this long. */
  p99: number;
  max: number;
  mean: number;
}

/**
 * Summarizes round-trip times. Percentiles use the nearest-rank method, so every figure is a time that was
 * actually measured (no interpolation between samples).
 *
 * @throws RangeError when `rttsMs` is empty or holds a value that is not a finite, non-negative number.
 */
export function summarizeRtts(rttsMs: readonly number[]): RttSummary {
  if (rttsMs.length === 0) throw new RangeError('no round trips to summarize');
  const bad = rttsMs.find((rtt) => !Number.isFinite(rtt) || rtt < 0);
  if (bad !== undefined) throw new RangeError(`not a round-trip time: ${bad}`);
  const sorted = [...rttsMs].sort((a, b) => a - b);
  const rank = (p: number): number => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] as number;
  return {
    count: sorted.length,
    min: sorted[0] as number,
    median: rank(50),
    p99: rank(99),
    max: sorted[sorted.length - 1] as number,
    mean: sorted.reduce((sum, rtt) => sum + rtt, 0) / sorted.length,
  };
}

/** One line: `100 round trips: median 41.2 ms, p99 80.3 ms (min 30.1, mean 43.0, max 82.4)`. */
export function formatRttSummary(summary: RttSummary): string {
  const ms = (value: number) => value.toFixed(1);
  return (
    `${summary.count} round trips: median ${ms(summary.median)} ms, p99 ${ms(summary.p99)} ms ` +
    `(min ${ms(summary.min)}, mean ${ms(summary.mean)}, max ${ms(summary.max)})`
  );
}
