import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { deferred, flushMicrotasks, type Deferred } from '../testing/deferred';
import { IcHealth } from './ic-health';
import { startStatusChecks } from './status-checks';

let calls: Deferred<void>[];
const ic = {
  checkStatus: () => {
    const call = deferred();
    calls.push(call);
    return call.promise;
  },
};

beforeEach(() => {
  vi.useFakeTimers();
  calls = [];
});
afterEach(() => vi.useRealTimers());

describe('startStatusChecks', () => {
  it('records each answer, one check at a time, every interval', async () => {
    const health = new IcHealth();
    const stop = startStatusChecks(ic, health, { intervalMs: 1000, timeoutMs: 5000 });
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toHaveLength(1); // the first is still running
    calls[0]!.resolve();
    await flushMicrotasks();
    expect(health.notReadyReason()).toBeNull();
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toHaveLength(2);
    calls[1]!.reject(new Error('connection refused'));
    await flushMicrotasks();
    expect(health.notReadyReason()).toBe('connection refused');
    stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls).toHaveLength(2);
  });

  it('fails a check that hangs after the timeout, and a late answer changes nothing', async () => {
    const health = new IcHealth();
    health.record(true);
    const stop = startStatusChecks(ic, health, { intervalMs: 1000, timeoutMs: 2500 });
    await vi.advanceTimersByTimeAsync(2500);
    expect(health.notReadyReason()).toBe('IC status check timed out after 2500 ms');
    await vi.advanceTimersByTimeAsync(500);
    expect(calls).toHaveLength(2); // the next check started on schedule
    calls[0]!.resolve();
    await flushMicrotasks();
    expect(health.notReadyReason()).toBe('IC status check timed out after 2500 ms');
    stop();
  });

  it('skips a check while a poll succeeded within the last interval, and checks again once polls stop succeeding', async () => {
    let now = 0;
    const health = new IcHealth();
    const stop = startStatusChecks(ic, health, { intervalMs: 1000, timeoutMs: 5000 }, () => now);
    calls[0]!.resolve();
    await flushMicrotasks();
    now = 900;
    health.polledOk(900);
    now = 1000;
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toHaveLength(1); // skipped: the poll at 900 proved the IC reachable
    now = 2000;
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toHaveLength(2); // no successful poll since 900: checked
    calls[1]!.reject(new Error('connection refused'));
    await flushMicrotasks();
    expect(health.notReadyReason()).toBe('connection refused');
    stop();
  });
});
