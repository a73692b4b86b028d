import { describe, expect, it } from 'vitest';
import { Clock } from './clock';

describe('Clock', () => {
  it('stands still in manual mode until advanced', () => {
    const clock = Clock.manual(1_000);
    expect(clock.now()).toBe(1_000_000_000n);
    expect(clock.now()).toBe(1_000_000_000n);
    clock.advance(1.5);
    expect(clock.now()).toBe(1_001_500_000n);
    expect(() => clock.advance(-1)).toThrow(RangeError);
  });

  it('follows the wall clock in real mode, never backwards, plus advances', () => {
    let wall = 5_000;
    const clock = new Clock({ wallClock: () => wall });
    expect(clock.now()).toBe(5_000_000_000n);
    wall = 4_000;
    expect(clock.now()).toBe(5_000_000_000n);
    wall = 6_000;
    clock.advance(1_000);
    expect(clock.now()).toBe(7_000_000_000n);
  });

  it('starts no earlier than a time already reached (a restart), in either mode', () => {
    expect(new Clock({ mode: 'manual', startMs: 1_000, notBeforeNs: 9_000_000_000n }).now()).toBe(9_000_000_000n);
    expect(new Clock({ mode: 'manual', startMs: 10_000, notBeforeNs: 9_000_000_000n }).now()).toBe(10_000_000_000n);
    let wall = 5_000;
    const behind = new Clock({ wallClock: () => wall, notBeforeNs: 8_000_000_000n });
    expect(behind.now()).toBe(8_000_000_000n);
    wall = 6_000; // time keeps moving from where it was, never back to the wall clock's reading
    expect(behind.now()).toBe(9_000_000_000n);
  });
});
