import { describe, expect, it } from 'vitest';
import { ByteBudget } from './byte-budget';
import { InboundPool } from './inbound-pool';
import { LoadMonitor, SLOW_RELAY_MS } from './load-monitor';

describe('LoadMonitor', () => {
  it('refuses new sessions near the inbound budget, at the outbound budget, and for a while after an IC failure', () => {
    const pools = { inbound: new InboundPool(1_000), outbound: new ByteBudget(1_000) };
    let now = 0;
    const load = new LoadMonitor(pools, 5_000, () => now);
    expect(load.overloadReason()).toBeNull();
    // 90% of where sessions stop reading (7/8 of the limit: 875).
    pools.inbound.adjust(0, 787);
    expect(load.overloadReason()).toBeNull();
    pools.inbound.adjust(0, 113);
    expect(load.overloadReason()).toBe('inbound_budget');
    pools.inbound.adjust(0, -900);
    pools.outbound.add(1_000);
    expect(load.overloadReason()).toBe('outbound_budget');
    pools.outbound.release(1);
    expect(load.overloadReason()).toBeNull();
    load.recordIcFailure();
    now += 4_999;
    expect(load.overloadReason()).toBe('ic_unavailable');
    now += 1;
    expect(load.overloadReason()).toBeNull();
  });

  it('refuses new sessions while relays are slow on average, and welcomes them again once they speed up', () => {
    const load = new LoadMonitor({ inbound: new InboundPool(1_000), outbound: new ByteBudget(1_000) }, 5_000);
    // One slow relay does not make an overload; a run of them does.
    load.recordRelay(30_000);
    expect(load.overloadReason()).toBeNull();
    for (let i = 0; i < 10; i++) load.recordRelay(SLOW_RELAY_MS * 1.5);
    expect(load.overloadReason()).toBe('ic_slow');
    for (let i = 0; i < 30; i++) load.recordRelay(200);
    expect(load.overloadReason()).toBeNull();
  });
});
