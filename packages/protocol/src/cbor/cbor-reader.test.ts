import { decode as cborgDecode, encode as cborgEncode, type DecodeOptions } from 'cborg';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode, ProtocolError } from '../errors';
import { cborByteString, deepCborArray, mutationOf, protocolErrorOf } from '../../tests/support/hostile-bytes';
import { cborEncode, type CborEncodable } from './cbor';
import { cborDecode, type CborValue } from './cbor-reader';

// The cborg options ic-ws-protocol decoded with before it had its own decoder: the reference for every
// input the two should agree on.
const tags: DecodeOptions['tags'] = [];
tags[55799] = (inner: unknown) => inner;
const reference: DecodeOptions = { useMaps: true, rejectDuplicateMapKeys: true, allowUndefined: false, allowInfinity: false, allowNaN: false, allowBigInt: true, tags };
const canonicalReference: DecodeOptions = { ...reference, strict: true, allowIndefinite: false };

function referenceDecode(bytes: Uint8Array, canonical = false): { value: unknown } | { refused: string } {
  try {
    return { value: cborgDecode(bytes, canonical ? canonicalReference : reference) };
  } catch (error) {
    return { refused: (error as Error).message };
  }
}

/**
 * Fails unless `cborDecode` refuses `bytes` with `CBOR_MALFORMED`, or accepts what the reference accepts, as it
 * reads it. One exception: cborg reads no indefinite-length byte or text string at all, and ours reads them (RFC
 * 8949 allows them) unless canonical, so there the reference cannot judge.
 */
function expectAgreesWithReference(bytes: Uint8Array, canonical: boolean): void {
  let ours: CborValue | undefined;
  try {
    ours = cborDecode(bytes, { canonical });
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).code).toBe(ErrorCode.CborMalformed);
    return;
  }
  const expected = referenceDecode(bytes, canonical);
  if ('refused' in expected && /indefinite length bytes\/strings/.test(expected.refused)) {
    expect(canonical).toBe(false);
    return;
  }
  expect(expected, 'accepted by ours but refused by the reference').toHaveProperty('value');
  expect(ours).toEqual((expected as { value: unknown }).value);
}

const leafValue: fc.Arbitrary<CborEncodable> = fc.oneof(
  fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }),
  fc.bigInt({ min: -(1n << 64n), max: (1n << 64n) - 1n }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.uint8Array({ maxLength: 300 }),
  fc.boolean(),
  fc.constant(null),
);
const cborValue = fc.letrec<{ value: CborEncodable }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leafValue,
    fc.array(tie('value'), { maxLength: 30 }),
    fc.dictionary(fc.string({ maxLength: 12 }), tie('value'), { maxKeys: 30 }),
  ),
})).value;

const hexOf = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const hex = (text: string) => Uint8Array.from(text.match(/../g)!.map((byte) => parseInt(byte, 16)));
const malformed = (bytes: Uint8Array, canonical = false) => protocolErrorOf(() => cborDecode(bytes, { canonical })).code;

describe('cborDecode', () => {
  it('reads every value the generic encoder writes exactly as the reference decoder does', () => {
    fc.assert(
      fc.property(cborValue, fc.boolean(), (value, tagged) => {
        const bytes = cborEncode(value, { selfDescribe: tagged });
        const expected = referenceDecode(bytes);
        expect(expected).toHaveProperty('value');
        expect(cborDecode(bytes)).toEqual((expected as { value: unknown }).value);
        expect(cborDecode(bytes, { canonical: true })).toEqual((expected as { value: unknown }).value);
      }),
      { numRuns: 400 },
    );
  });

  it('never accepts a mutated encoding the reference decoder refuses, and reads the ones both accept alike', () => {
    const valid = cborEncode(
      { tree: [1, [4, new Uint8Array(32).fill(7)], [2, new Uint8Array([1, 2]), [3, new Uint8Array(5)]]], signature: new Uint8Array(48), n: 123456789n, text: 'héllo' },
      { selfDescribe: true },
    );
    fc.assert(
      fc.property(mutationOf(valid), fc.boolean(), (bytes, canonical) => expectAgreesWithReference(bytes, canonical)),
      { numRuns: 3000 },
    );
  });

  it('judges a mutation into an indefinite-length string, which the reference decoder does not read', () => {
    // [2, h'0102', [3, h'0000000000']] with two bytes changed: [h'0102' in one chunk, 3, h'0000000000'].
    const valid = cborEncode([1, [2, new Uint8Array([1, 2]), [3, new Uint8Array(5)]]]);
    const at = hexOf(valid).indexOf('83024201028203') / 2;
    const mutated = valid.slice();
    mutated[at + 1] = 0x5f;
    mutated[at + 5] = 0xff;
    expect(cborDecode(mutated)).toEqual([1, [Uint8Array.of(1, 2), 3, new Uint8Array(5)]]);
    expect(referenceDecode(mutated)).toEqual({ refused: expect.stringMatching(/indefinite length bytes\/strings/) });
    expectAgreesWithReference(mutated, false);
    expectAgreesWithReference(mutated, true);
  });

  it('reads integers as numbers while safe and as bigints beyond', () => {
    expect(cborDecode(hex('1b001fffffffffffff'))).toBe(2 ** 53 - 1);
    expect(cborDecode(hex('1b0020000000000000'))).toBe(2n ** 53n);
    expect(cborDecode(hex('1bffffffffffffffff'))).toBe(2n ** 64n - 1n);
    expect(cborDecode(hex('3b001ffffffffffffe'))).toBe(-(2 ** 53) + 1);
    expect(cborDecode(hex('3b001fffffffffffff'))).toBe(-(2n ** 53n));
    expect(cborDecode(hex('3bffffffffffffffff'))).toBe(-(2n ** 64n));
    expect(cborDecode(hex('f93c00'))).toBe(1);
    expect(cborDecode(hex('fa3fc00000'))).toBe(1.5);
  });

  it('reads indefinite lengths, but refuses them when canonical', () => {
    const cases: [string, CborValue][] = [
      ['9f0102ff', [1, 2]],
      ['bf6161f5ff', new Map([['a', true]])],
      ['5f42010241 03ff'.replace(' ', ''), Uint8Array.of(1, 2, 3)],
      ['7f626869616aff', 'hij'],
    ];
    for (const [bytes, value] of cases) {
      expect(cborDecode(hex(bytes))).toEqual(value);
      expect(malformed(hex(bytes), true)).toBe(ErrorCode.CborMalformed);
    }
    // A chunk of an indefinite string must be a definite string of the same type.
    expect(malformed(hex('5f6161ff'))).toBe(ErrorCode.CborMalformed);
    expect(malformed(hex('9f01'))).toBe(ErrorCode.CborMalformed);
  });

  it('refuses, when canonical, every integer and length not in its shortest form', () => {
    for (const bytes of ['1817', '190017', '1a000000ff', '1b00000000ffffffff', '3817', '5801ff', '780161', '9801' + '00', 'b80100' + '00', 'd81a00']) {
      const error = protocolErrorOf(() => cborDecode(hex(bytes), { canonical: true }));
      expect(error.code).toBe(ErrorCode.CborMalformed);
    }
    expect(protocolErrorOf(() => cborDecode(hex('1817'), { canonical: true })).message).toMatch(/shortest form/);
    expect(cborDecode(hex('1817'))).toBe(23);
  });

  it.each([
    ['undefined', 'f7'],
    ['NaN', 'f97e00'],
    ['Infinity', 'f97c00'],
    ['-Infinity (single)', 'faff800000'],
    ['a simple value', 'f0'],
    ['a one-byte simple value', 'f820'],
    ['an unknown tag', 'c11a5f5e1000'],
    ['reserved additional information', '1c'],
    ['an indefinite integer', '1f'],
    ['a stray break', 'ff'],
    ['a break inside a definite array', '82ff00'],
    ['trailing bytes', '0000'],
    ['a truncated integer', '1a0000'],
    ['a truncated string', '6461'],
    ['an array longer than the input', '9affffffff00'],
    ['a duplicate text key', 'a2616100616101'],
    ['a duplicate byte-string key', 'a2410100410101'],
    ['invalid UTF-8', '62c328'],
    ['an unclosed indefinite array', '9f0102'],
  ])('refuses %s as CBOR_MALFORMED', (_what, bytes) => {
    expect(malformed(hex(bytes))).toBe(ErrorCode.CborMalformed);
  });

  it('refuses empty input, non-bytes, and nesting deep enough to exhaust the stack, as CBOR_MALFORMED', () => {
    expect(malformed(new Uint8Array())).toBe(ErrorCode.CborMalformed);
    expect(protocolErrorOf(() => cborDecode('00' as unknown as Uint8Array)).code).toBe(ErrorCode.CborMalformed);
    expect(malformed(deepCborArray(200_000))).toBe(ErrorCode.CborMalformed);
  });

  it('copies byte strings out of the input and reads a large one quickly', () => {
    const input = cborByteString(4 * 1024 * 1024);
    const started = performance.now();
    const value = cborDecode(input) as Uint8Array;
    expect(value.length).toBe(4 * 1024 * 1024);
    expect(value.buffer).not.toBe(input.buffer);
    expect(Object.getPrototypeOf(cborDecode(cborgEncode(new Uint8Array([1]))))).toBe(Uint8Array.prototype);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
