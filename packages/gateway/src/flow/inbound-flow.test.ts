import { describe, expect, it } from 'vitest';
import { InboundFlow } from './inbound-flow';
import { InboundPool } from './inbound-pool';

const limits = { maxPendingBytesPerSession: 1_000, maxPendingEnvelopes: 2, maxPayload: 10_000 };

function flow(pool = new InboundPool(1_000_000)) {
  const calls: string[] = [];
  const inbound = new InboundFlow(pool, limits, { pauseReading: () => calls.push('pause'), resumeReading: () => calls.push('resume') });
  return { inbound, calls, pool };
}

describe('InboundFlow.idle (an idle flow may be dropped by its session)', () => {
  it('is idle only while it holds no bytes and no envelope', () => {
    const { inbound } = flow();
    expect(inbound.idle).toBe(true);
    inbound.bytesReceived(100);
    expect(inbound.idle).toBe(false);
    inbound.frameTaken(100);
    expect(inbound.idle).toBe(true);
    inbound.hold(100);
    expect(inbound.idle).toBe(false);
    inbound.release(100);
    expect(inbound.idle).toBe(true);
  });

  it('is not idle while reading is paused, stopped or disposed', () => {
    const paused = flow();
    paused.inbound.hold(10);
    paused.inbound.hold(10);
    expect(paused.calls).toEqual(['pause']);
    paused.inbound.release(10);
    expect(paused.inbound.idle).toBe(false);
    paused.inbound.release(10);
    expect([paused.inbound.idle, paused.calls]).toEqual([true, ['pause', 'resume']]);

    const stopped = flow();
    stopped.inbound.stop();
    expect(stopped.inbound.idle).toBe(false);

    const disposed = flow();
    disposed.inbound.dispose();
    expect(disposed.inbound.idle).toBe(false);
  });

  it('is not idle while it waits for room in the gateway-wide pool', () => {
    const pool = new InboundPool(100);
    const other = flow(pool);
    other.inbound.hold(95);
    const { inbound } = flow(pool);
    inbound.bytesReceived(10);
    inbound.frameTaken(10);
    expect(inbound.idle).toBe(false);
    other.inbound.release(95);
    expect(inbound.idle).toBe(true);
  });
});
