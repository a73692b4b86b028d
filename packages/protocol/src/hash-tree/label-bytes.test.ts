import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesEqual, compareBytes, compareBytesFrom, labelBytes, utf8Bytes } from './label-bytes';

const bytesArb = fc.uint8Array({ maxLength: 6, max: 2 });

describe('label bytes', () => {
  it('orders bytewise, shorter prefix first, and UTF-8 encodes text', () => {
    expect(compareBytes(labelBytes('a'), labelBytes('b'))).toBeLessThan(0);
    expect(compareBytes(labelBytes('ab'), labelBytes('a'))).toBeGreaterThan(0);
    expect(compareBytes(labelBytes(''), new Uint8Array(0))).toBe(0);
    expect(compareBytes(Uint8Array.of(0xff), labelBytes('z'))).toBeGreaterThan(0);
    expect(labelBytes('é')).toEqual(Uint8Array.of(0xc3, 0xa9));
  });

  it('utf8Bytes is TextEncoder, ASCII or not', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' })), (text) => {
        expect(utf8Bytes(text)).toEqual(new TextEncoder().encode(text));
      }),
    );
  });

  it('compareBytesFrom agrees with compareBytes and reports the common prefix', () => {
    fc.assert(
      fc.property(bytesArb, bytesArb, (a, b) => {
        const full = compareBytesFrom(a, b, 0);
        expect(Math.sign(full)).toBe(Math.sign(compareBytes(a, b)));
        expect(full === 0).toBe(bytesEqual(a, b));
        if (full === 0) return;
        const lcp = Math.abs(full) - 1;
        expect(bytesEqual(a.subarray(0, lcp), b.subarray(0, lcp))).toBe(true);
        expect(lcp === Math.min(a.length, b.length) || a[lcp] !== b[lcp]).toBe(true);
        // Skipping any part of the shared prefix gives the same answer.
        for (let skip = 0; skip <= lcp; skip++) expect(compareBytesFrom(a, b, skip)).toBe(full);
      }),
    );
  });
});
