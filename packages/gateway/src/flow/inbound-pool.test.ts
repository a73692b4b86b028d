import { describe, expect, it } from 'vitest';
import { InboundPool } from './inbound-pool';

describe('InboundPool', () => {
  it('blocks only while something pending will free bytes, and wakes its waiters when it no longer blocks', () => {
    const pool = new InboundPool(100);
    pool.adjust(150, 0);
    // Only frames in progress: blocking would stop the very frames whose relay frees the budget.
    expect(pool.blocked).toBe(false);
    pool.adjust(0, 10);
    expect(pool.blocked).toBe(true);
    const woken: string[] = [];
    pool.wait(() => woken.push('a'));
    pool.wait(() => woken.push('b'));
    pool.adjust(-100, 0);
    expect(pool.blocked).toBe(false);
    expect(woken).toEqual(['a', 'b']);
  });

  it('stops sessions at 7/8 of its limit, leaving room for what comes with the bytes', () => {
    const pool = new InboundPool(1600);
    expect(pool.threshold).toBe(1400);
    pool.adjust(0, 1399);
    expect(pool.blocked).toBe(false);
    pool.adjust(0, 1);
    expect(pool.blocked).toBe(true);
  });

  it('counts dropped client bytes until a collection that frees them has run, and the next one', () => {
    const pool = new InboundPool(100);
    pool.adjust(0, 10);
    pool.dropped(30, false);
    pool.dropped(50, true);
    expect(pool.used).toBe(90);
    // A scavenge frees young buffers only; its sweeper may still be at work: they count until the next.
    pool.collected('minor');
    expect(pool.used).toBe(90);
    pool.collected('minor');
    expect(pool.used).toBe(60);
    // Old buffers go with a full collection (and the one after it).
    pool.collected('major');
    expect(pool.used).toBe(60);
    pool.collected('minor');
    expect(pool.used).toBe(10);
  });
});
