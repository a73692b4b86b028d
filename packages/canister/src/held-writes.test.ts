import { describe, expect, it } from 'vitest';
import { HeldWrites } from './held-writes';

describe('HeldWrites', () => {
  it('writes at once unless held; while held, once per record at the flush, and only for live records', () => {
    const written: string[] = [];
    const live = new Set(['a', 'b']);
    const writes = new HeldWrites<string>((item) => written.push(item), (item) => live.has(item));
    writes.save('a');
    expect(written).toEqual(['a']);
    writes.hold();
    writes.save('a');
    writes.save('b');
    writes.save('a');
    writes.save('c');
    writes.save('b');
    writes.drop('b');
    expect(written).toEqual(['a']);
    writes.flush();
    // 'b' was dropped (deleted), 'c' is no longer registered.
    expect(written).toEqual(['a', 'a']);
    writes.save('b');
    expect(written).toEqual(['a', 'a', 'b']);
  });
});
