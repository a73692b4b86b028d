import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { backoffDelay, ReconnectScheduler } from './reconnect-scheduler';

const timers = {
  setTimeout: (callback: () => void, ms: number) => setTimeout(callback, ms),
  clearTimeout: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
const backoff = { baseDelayMs: 500, maxDelayMs: 30_000, jitter: 0.5 };

describe('backoffDelay', () => {
  it('doubles from the base delay up to the cap', () => {
    const noJitter = { ...backoff, jitter: 0 };
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelay(n, noJitter, () => 0.9))).toEqual([
      500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000,
    ]);
  });

  it('draws the jitter share at random within [ceiling*(1-jitter), ceiling]', () => {
    expect(backoffDelay(3, backoff, () => 0)).toBe(1000);
    expect(backoffDelay(3, backoff, () => 0.5)).toBe(1500);
    expect(backoffDelay(3, backoff, () => 0.999999)).toBe(2000);
    expect(backoffDelay(3, { ...backoff, jitter: 1 }, () => 0)).toBe(0);
  });
});

describe('ReconnectScheduler', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function scheduler(maxAttempts = 3, urls = ['ws://a', 'ws://b', 'ws://c']) {
    return new ReconnectScheduler({ gatewayUrls: urls, maxAttempts, backoff: { ...backoff, jitter: 0 }, random: () => 0, timers });
  }

  it('fails over to the next gateway after each delay, round robin', () => {
    const s = scheduler(5);
    const connected: string[] = [];
    expect(s.currentUrl).toBe('ws://a');
    for (const expected of [
      { attempt: 1, delayMs: 500, gatewayUrl: 'ws://b' },
      { attempt: 2, delayMs: 1000, gatewayUrl: 'ws://c' },
      { attempt: 3, delayMs: 2000, gatewayUrl: 'ws://a' },
    ]) {
      expect(s.schedule((url) => connected.push(url))).toEqual(expected);
      const before = connected.length;
      vi.advanceTimersByTime(expected.delayMs - 1);
      expect(connected.length).toBe(before);
      vi.advanceTimersByTime(1);
      expect(connected.length).toBe(before + 1);
      expect(connected.at(-1)).toBe(expected.gatewayUrl);
    }
  });

  it('gives up after maxAttempts in a row, and starts over after reset', () => {
    const s = scheduler(2);
    expect(s.schedule(() => undefined)?.attempt).toBe(1);
    expect(s.schedule(() => undefined)?.attempt).toBe(2);
    expect(s.schedule(() => undefined)).toBeUndefined();
    s.reset();
    expect(s.schedule(() => undefined)).toMatchObject({ attempt: 1, delayMs: 500 });
  });

  it('cancel drops the scheduled attempt', () => {
    const s = scheduler();
    const connect = vi.fn();
    s.schedule(connect);
    expect(s.isPending).toBe(true);
    s.cancel();
    vi.advanceTimersByTime(60_000);
    expect(connect).not.toHaveBeenCalled();
    expect(s.isPending).toBe(false);
  });

  it('allows no attempt at all with maxAttempts 0', () => {
    expect(scheduler(0).schedule(() => undefined)).toBeUndefined();
  });

  it("waits at least an overloaded gateway's retry hint, with jitter on top, without counting the refusal as an attempt", () => {
    const jittered = new ReconnectScheduler({ gatewayUrls: ['ws://a'], maxAttempts: 1, backoff, random: () => 0.5, timers });
    const connected: string[] = [];
    for (let i = 0; i < 3; i++) {
      // 5000 ms hint + 0.5 jitter x 0.5 random: 6250 ms, far above the 500 ms backoff.
      expect(jittered.schedule((url) => connected.push(url), 5_000)).toEqual({ attempt: 1, delayMs: 6_250, gatewayUrl: 'ws://a', retryAfterMs: 5_000 });
      vi.advanceTimersByTime(6_249);
      expect(connected).toHaveLength(i);
      vi.advanceTimersByTime(1);
      expect(connected).toHaveLength(i + 1);
    }
    // Three refusals later, the one real attempt allowed is still there; after it, the scheduler gives up.
    expect(jittered.schedule(() => undefined)).toMatchObject({ attempt: 1 });
    expect(jittered.schedule(() => undefined)).toBeUndefined();
    // A hint below the backoff changes nothing; the draw spreads refused clients over [hint, 1.5 hint].
    const spread = (random: number) =>
      new ReconnectScheduler({ gatewayUrls: ['ws://a'], maxAttempts: 3, backoff, random: () => random, timers }).schedule(() => undefined, 2_000)!.delayMs;
    expect([spread(0), spread(0.999_999)]).toEqual([2_000, 3_000]);
  });
});
