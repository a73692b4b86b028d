import { describe, expect, it } from 'vitest';
import { formatRttSummary, summarizeRtts } from './rtt-summary';

describe('summarizeRtts', () => {
  it('takes nearest-rank percentiles of 100 samples: the 50th and the 99th smallest', () => {
    // 1..100 shuffled: the order of arrival must not matter.
    const samples = Array.from({ length: 100 }, (_, i) => ((i * 37) % 100) + 1);
    expect(summarizeRtts(samples)).toEqual({ count: 100, min: 1, median: 50, p99: 99, max: 100, mean: 50.5 });
  });

  it('gives the slowest sample as p99 when there are fewer than 100', () => {
    expect(summarizeRtts([5, 1, 3])).toMatchObject({ median: 3, p99: 5, min: 1, max: 5 });
    expect(summarizeRtts([7])).toMatchObject({ count: 1, median: 7, p99: 7 });
  });

  it('rejects an empty run and values that are not times with RangeError', () => {
    expect(() => summarizeRtts([])).toThrow(RangeError);
    expect(() => summarizeRtts([1, Number.NaN])).toThrow(/not a round-trip time: NaN/);
    expect(() => summarizeRtts([-1])).toThrow(RangeError);
  });
});

describe('formatRttSummary', () => {
  it('prints median and p99 with one decimal', () => {
    expect(formatRttSummary({ count: 3, min: 1, median: 2.04, p99: 3.06, max: 3.06, mean: 2.0333 })).toBe(
      '3 round trips: median 2.0 ms, p99 3.1 ms (min 1.0, mean 2.0, max 3.1)',
    );
  });
});
