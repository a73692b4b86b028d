import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConnectionTracker, MIN_EVICTABLE_AGE_MS } from './connection-tracker';

let port = 1;
class FakeSocket extends EventEmitter {
  readonly remotePort = port++;
  destroyed = false;
  constructor(readonly remoteAddress = '10.0.0.1') {
    super();
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    // Like a real socket, the close event comes later.
    setImmediate(() => this.emit('close'));
  }
}
const socket = (ip?: string) => new FakeSocket(ip) as unknown as Socket & FakeSocket;

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('ConnectionTracker', () => {
  it('closes a socket that does not upgrade in time, and not one that did', async () => {
    let timeouts = 0;
    const tracker = new ConnectionTracker({ maxSockets: 10, maxPerIp: 0, upgradeTimeoutMs: 5_000 }, () => (timeouts += 1));
    const silent = socket();
    const upgrading = socket();
    tracker.admit(silent);
    tracker.admit(upgrading);
    tracker.upgraded(upgrading);
    await vi.advanceTimersByTimeAsync(5_000);
    expect([silent.destroyed, upgrading.destroyed, timeouts]).toEqual([true, false, 1]);
    await vi.advanceTimersByTimeAsync(1);
    expect(tracker.count).toBe(1);
  });

  it('at the limit, makes room by closing the oldest socket still waiting to upgrade, never an upgraded or fresh one', async () => {
    const tracker = new ConnectionTracker({ maxSockets: 3, maxPerIp: 0, upgradeTimeoutMs: 60_000 }, () => {});
    const upgraded = socket();
    const [older, newer] = [socket(), socket()];
    tracker.admit(upgraded);
    tracker.upgraded(upgraded);
    tracker.admit(older);
    await vi.advanceTimersByTimeAsync(10);
    tracker.admit(newer);
    // Too fresh to evict: a client upgrading right now must get through.
    expect(tracker.admit(socket())).toEqual({ admitted: false, reason: 'limit' });
    await vi.advanceTimersByTimeAsync(MIN_EVICTABLE_AGE_MS);
    expect(tracker.admit(socket())).toEqual({ admitted: true, evicted: true });
    expect([upgraded.destroyed, older.destroyed, newer.destroyed]).toEqual([false, true, false]);
    // The next one takes the next oldest, at once (the evicted socket's close event has not come yet).
    expect(tracker.admit(socket())).toEqual({ admitted: true, evicted: true });
    expect(newer.destroyed).toBe(true);
    await vi.advanceTimersByTimeAsync(1);
    expect(tracker.count).toBe(3);
  });

  it('limits sockets per IP address when asked to', async () => {
    const tracker = new ConnectionTracker({ maxSockets: 100, maxPerIp: 2, upgradeTimeoutMs: 60_000 }, () => {});
    const first = socket('10.0.0.9');
    tracker.admit(first);
    tracker.admit(socket('10.0.0.9'));
    expect(tracker.admit(socket('10.0.0.9'))).toEqual({ admitted: false, reason: 'per_ip' });
    expect(tracker.admit(socket('10.0.0.8')).admitted).toBe(true);
    first.destroy();
    await vi.advanceTimersByTimeAsync(1);
    expect(tracker.admit(socket('10.0.0.9')).admitted).toBe(true);
  });
});
