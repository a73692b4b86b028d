import { ErrorCode } from 'ic-ws-protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GatewayError } from '../gateway-error';
import { backoffDelay, retryTransient } from './retry-transient';

const transient = () => new GatewayError(ErrorCode.RelayFailed, 'HTTP 503', { transient: true });
const backoff = { initialMs: 100, maxMs: 400 };

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('backoffDelay', () => {
  it('doubles up to the cap, each drawn between half and all of it', () => {
    expect([1, 2, 3, 4, 10].map((n) => backoffDelay(n, backoff, () => 0))).toEqual([50, 100, 200, 200, 200]);
    expect([1, 2, 3, 4, 10].map((n) => backoffDelay(n, backoff, () => 0.999_999))).toEqual([100, 200, 400, 400, 400]);
  });
});

describe('retryTransient', () => {
  it('retries transient failures with backoff until one succeeds', async () => {
    const attempts: number[] = [];
    const result = retryTransient(
      async () => {
        attempts.push(Date.now());
        if (attempts.length < 4) throw transient();
        return 'ok';
      },
      { backoff, deadlineMs: Date.now() + 10_000, random: () => 0.999_999 },
    );
    await vi.runAllTimersAsync();
    await expect(result).resolves.toBe('ok');
    expect(attempts.slice(1).map((at, i) => at - attempts[i]!)).toEqual([100, 200, 400]);
  });

  it('throws a final failure at once, and the last transient one when the deadline leaves no room', async () => {
    let calls = 0;
    const rejected = new GatewayError(ErrorCode.RelayRejected, 'HTTP 400');
    await expect(retryTransient(async () => ((calls += 1), Promise.reject(rejected)), { backoff, deadlineMs: Date.now() + 10_000 })).rejects.toBe(rejected);
    expect(calls).toBe(1);
    await expect(retryTransient(async () => Promise.reject(new Error('not ours')), { backoff, deadlineMs: Date.now() + 10_000 })).rejects.toThrow('not ours');

    calls = 0;
    const late = retryTransient(async () => ((calls += 1), Promise.reject(transient())), { backoff, deadlineMs: Date.now() + 1_000, random: () => 0.999_999 });
    const settled = expect(late).rejects.toMatchObject({ transient: true });
    await vi.runAllTimersAsync();
    await settled;
    // 100 + 200 + 400 ms of pauses fit before the deadline, the next 400 does not.
    expect(calls).toBe(4);
  });

  it('stops retrying when aborted, even during a pause', async () => {
    const abort = new AbortController();
    let calls = 0;
    const run = retryTransient(async () => ((calls += 1), Promise.reject(transient())), { backoff, deadlineMs: Date.now() + 60_000, signal: abort.signal });
    const settled = expect(run).rejects.toMatchObject({ transient: true });
    await vi.advanceTimersByTimeAsync(10);
    abort.abort();
    await settled;
    expect(calls).toBe(1);
  });
});
