import { IDL } from '@dfinity/candid';
import { describe, expect, it } from 'vitest';
import { protocolErrorOf } from '../../tests/support/hostile-bytes';
import { ErrorCode } from '../errors';
import { assertNoZeroSizedVectors } from './zero-sized-vec-guard';

const Empty = IDL.Record({});
const Nested = IDL.Record({ a: IDL.Null, b: IDL.Record({ c: IDL.Reserved }) });

describe('assertNoZeroSizedVectors', () => {
  it.each([
    ['vec null', IDL.Vec(IDL.Null), [[]]],
    ['vec reserved', IDL.Vec(IDL.Reserved), [[]]],
    ['vec record {}', IDL.Vec(Empty), [[]]],
    ['vec of a record of zero-sized fields', IDL.Vec(Nested), [[]]],
    ['vec vec null', IDL.Vec(IDL.Vec(IDL.Null)), [[]]],
  ])('refuses %s', (_name, type, args) => {
    const bytes = IDL.encode([type], args);
    expect(protocolErrorOf(() => assertNoZeroSizedVectors(bytes)).code).toBe(ErrorCode.CandidDecode);
  });

  it.each([
    ['blob', IDL.Vec(IDL.Nat8), [Uint8Array.of(1)]],
    ['vec opt null', IDL.Vec(IDL.Opt(IDL.Null)), [[[]]]],
    ['vec of a record with a nat', IDL.Vec(IDL.Record({ a: IDL.Null, n: IDL.Nat })), [[]]],
    ['variant of records', IDL.Variant({ A: IDL.Record({ x: IDL.Nat64 }), B: IDL.Null }), [{ B: null }]],
    // An empty opt still writes the func and service types into the table.
    ['func and service types', IDL.Opt(IDL.Tuple(IDL.Func([IDL.Text], [IDL.Nat], ['query']), IDL.Service({ m: IDL.Func([], []) }))), [[]]],
  ])('accepts %s', (_name, type, args) => {
    const bytes = IDL.encode([type], args);
    expect(() => assertNoZeroSizedVectors(bytes)).not.toThrow();
  });

  it('refuses a table whose count exceeds the input, a bad opcode and a dangling reference', () => {
    const magic = [0x44, 0x49, 0x44, 0x4c];
    for (const bad of [
      Uint8Array.of(...magic, 0xff, 0xff, 0x03),
      Uint8Array.of(...magic, 0x01, 0x71, 0x00),
      Uint8Array.of(...magic, 0x01, 0x6d, 0x05, 0x00),
      Uint8Array.of(0x00, 0x01),
    ]) {
      expect(protocolErrorOf(() => assertNoZeroSizedVectors(bad)).code).toBe(ErrorCode.CandidDecode);
    }
  });
});
