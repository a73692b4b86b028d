import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../errors';
import { protocolErrorOf } from '../../tests/support/hostile-bytes';
import { cborEncode } from './cbor';
import { cborWrite, type CborWritable } from './cbor-writer';

const writable = fc.letrec<{ value: CborWritable }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string({ unit: 'grapheme', maxLength: 300 }),
    fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
    fc.constantFrom(0n, 23n, 24n, 255n, 256n, 65535n, 65536n, (1n << 32n) - 1n, 1n << 32n, (1n << 64n) - 1n),
    fc.uint8Array({ maxLength: 70_000 }).map((bytes) => bytes.subarray(0, bytes.length % 3 === 0 ? bytes.length : Math.min(bytes.length, 300))),
    fc.array(tie('value'), { maxLength: 30 }),
    fc.dictionary(fc.string({ maxLength: 30 }), tie('value'), { maxKeys: 30 }),
  ),
})).value;

describe('cborWrite', () => {
  it('writes the bytes the generic encoder writes, tagged or not', () => {
    fc.assert(
      fc.property(writable, fc.boolean(), (value, tagged) => {
        expect(cborWrite(value, tagged)).toEqual(new Uint8Array(cborEncode(value, { selfDescribe: tagged })));
      }),
      { numRuns: 300 },
    );
  });

  it('writes every head width of lengths and integers as the generic encoder does', () => {
    for (const length of [0, 23, 24, 255, 256, 65_535, 65_536]) {
      const value = { b: new Uint8Array(length), t: 'x'.repeat(length), a: new Array<CborWritable>(Math.min(length, 300)).fill(1n) };
      expect(cborWrite(value)).toEqual(new Uint8Array(cborEncode(value)));
    }
  });

  it('refuses integers outside 0..2^64-1 with OUT_OF_RANGE', () => {
    expect(protocolErrorOf(() => cborWrite(-1n)).code).toBe(ErrorCode.OutOfRange);
    expect(protocolErrorOf(() => cborWrite({ n: 1n << 64n })).code).toBe(ErrorCode.OutOfRange);
  });
});
