import { ErrorCode } from 'ic-ws-protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { IcWsClientError } from '../client-error';
import { AckMonitor } from './ack-monitor';

const timers = {
  setTimeout: (callback: () => void, ms: number) => setTimeout(callback, ms),
  clearTimeout: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

describe('AckMonitor', () => {
  let failures: IcWsClientError[];
  let monitor: AckMonitor;

  beforeEach(() => {
    vi.useFakeTimers();
    failures = [];
    monitor = new AckMonitor({ timers, ackIntervalMs: 300_000, marginMs: 30_000, onTimeout: (e) => failures.push(e) });
  });
  afterEach(() => {
    monitor.stop();
    vi.useRealTimers();
  });

  it('times out when no ack arrives within interval + margin', () => {
    monitor.start();
    vi.advanceTimersByTime(329_999);
    expect(failures).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(failures.map((e) => e.code)).toEqual([ErrorCode.AckTimeout]);
  });

  it('restarts the wait on every ack', () => {
    monitor.start();
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(300_000);
      monitor.acknowledge(BigInt(i), BigInt(i + 1));
    }
    vi.advanceTimersByTime(329_999);
    expect(failures).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(failures).toHaveLength(1);
  });

  it('accepts an ack of exactly what was sent, rejects one above it', () => {
    monitor.start();
    expect(() => monitor.acknowledge(3n, 3n)).not.toThrow();
    expect(() => monitor.acknowledge(4n, 3n)).toThrow(expect.objectContaining({ code: ErrorCode.AckAboveSent }));
  });

  it('never fires after stop', () => {
    monitor.start();
    monitor.stop();
    vi.advanceTimersByTime(10 * 330_000);
    expect(failures).toEqual([]);
  });
});
