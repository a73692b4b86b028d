import { describe, expect, it } from 'vitest';
import { ByteBudget } from './byte-budget';
import { InboundPool } from './inbound-pool';
import { LoadMonitor } from './load-monitor';

describe('LoadMonitor', () => {
  it('refuses new sessions near the inbound budget, at the outbound budget, and for a while after an IC failure', () => {
    const pools = { inbound: new InboundPool(1_000), outbound: new ByteBudget(1_000) };
    let now = 0;
    const load = new LoadMonitor(pools, 5_000, () => now);
    expect(load.overloadReason()).toBeNull();
    pools.inbound.adjust(0, 900);
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
});
