import { Principal } from '@dfinity/principal';
import { describe, expect, it } from 'vitest';
import { assertOnlyProtocolErrors, protocolErrorOf } from '../../tests/support/hostile-bytes';
import { cborEncode, type CborEncodable } from '../cbor/cbor';
import { ErrorCode } from '../errors';
import { labeledForest, leaf, type HashTree } from '../hash-tree/hash-tree';
import { decodeCertificate } from './decode-certificate';

const subnetId = Principal.fromText('rrkah-fqaaa-aaaaa-aaaaq-cai');
const tree: HashTree = labeledForest([
  ['canister', labeledForest([[subnetId.toUint8Array(), labeledForest([['certified_data', leaf(new Uint8Array(32).fill(7))]])]])],
  ['time', leaf(Uint8Array.of(0x80, 0x01))],
]);
const signature = new Uint8Array(48).fill(0xab);

function encode(fields: Record<string, CborEncodable>): Uint8Array {
  return cborEncode(fields, { selfDescribe: true });
}

const plain = encode({ tree: tree as unknown as CborEncodable, signature });
const delegated = encode({
  tree: tree as unknown as CborEncodable,
  signature,
  delegation: { subnet_id: subnetId.toUint8Array(), certificate: plain },
});

/** `bytes` with the first occurrence of `from` replaced by `to`. */
function respell(bytes: Uint8Array, from: readonly number[], to: readonly number[]): Uint8Array {
  for (let i = 0; i + from.length <= bytes.length; i++) {
    if (from.every((b, j) => bytes[i + j] === b)) return Uint8Array.from([...bytes.subarray(0, i), ...to, ...bytes.subarray(i + from.length)]);
  }
  throw new Error('pattern not found');
}

describe('decodeCertificate', () => {
  it('decodes tree, signature and delegation', () => {
    expect(decodeCertificate(plain)).toEqual({ tree, signature });
    const decoded = decodeCertificate(delegated);
    expect(decoded.delegation?.subnetId.toText()).toBe(subnetId.toText());
    expect(decoded.delegation?.certificate).toEqual({ tree, signature });
    expect(decoded.delegation?.certificateBytes).toEqual(plain);
  });

  it('refuses a signature length written in more bytes than needed (CBOR_MALFORMED)', () => {
    // 48 bytes: `58 30` is the shortest head; `59 00 30` says the same in a longer spelling.
    const respelled = respell(plain, [0x58, 0x30, 0xab], [0x59, 0x00, 0x30, 0xab]);
    const error = protocolErrorOf(() => decodeCertificate(respelled));
    expect(error.code).toBe(ErrorCode.CborMalformed);
    expect(error.message).toMatch(/minimal|canonical|strict/i);
  });

  it('refuses a non-canonical length inside the tree and inside the delegation certificate', () => {
    // The `time` label (a 4-byte string, `44 74696d65`) respelled as `58 04 74696d65`.
    expect(protocolErrorOf(() => decodeCertificate(respell(plain, [0x44, 0x74, 0x69, 0x6d, 0x65], [0x58, 0x04, 0x74, 0x69, 0x6d, 0x65]))).code).toBe(
      ErrorCode.CborMalformed,
    );
    const inner = respell(plain, [0x58, 0x30, 0xab], [0x59, 0x00, 0x30, 0xab]);
    const outer = encode({ tree: tree as unknown as CborEncodable, signature, delegation: { subnet_id: subnetId.toUint8Array(), certificate: inner } });
    expect(protocolErrorOf(() => decodeCertificate(outer)).code).toBe(ErrorCode.CborMalformed);
  });

  it('refuses indefinite lengths', () => {
    // The top-level map of two entries (`a2`) as an indefinite map: `bf ... ff`.
    expect(plain[3]).toBe(0xa2);
    const indefinite = Uint8Array.from([...plain.subarray(0, 3), 0xbf, ...plain.subarray(4), 0xff]);
    expect(protocolErrorOf(() => decodeCertificate(indefinite)).code).toBe(ErrorCode.CborMalformed);
  });

  it('refuses unknown and missing fields, and a nested delegation (CBOR_INVALID_SHAPE)', () => {
    expect(protocolErrorOf(() => decodeCertificate(encode({ tree: tree as unknown as CborEncodable, signature, extra: 1 }))).code).toBe(
      ErrorCode.CborInvalidShape,
    );
    expect(protocolErrorOf(() => decodeCertificate(encode({ tree: tree as unknown as CborEncodable }))).code).toBe(ErrorCode.CborInvalidShape);
    const nested = encode({ tree: tree as unknown as CborEncodable, signature, delegation: { subnet_id: subnetId.toUint8Array(), certificate: delegated } });
    expect(protocolErrorOf(() => decodeCertificate(nested)).code).toBe(ErrorCode.CborInvalidShape);
  });

  it('refuses a malformed tree (HASH_TREE_MALFORMED)', () => {
    expect(protocolErrorOf(() => decodeCertificate(encode({ tree: [9] as unknown as CborEncodable, signature }))).code).toBe(
      ErrorCode.HashTreeMalformed,
    );
  });

  it('throws nothing but coded ProtocolErrors for random and mutated bytes', () => {
    assertOnlyProtocolErrors(decodeCertificate, delegated);
  });
});
