import { describe, expect, it } from 'vitest';
import { cborEncode, type CborEncodable } from '../cbor/cbor';
import { labeledForest, leaf, pruned } from '../hash-tree/hash-tree';
import { decodeCertificate } from './decode-certificate';
import { encodeCertificate } from './encode-certificate';

describe('encodeCertificate', () => {
  it('writes the bytes the generic encoder writes for {tree, signature}, and they decode strictly', () => {
    const tree = labeledForest([
      ['canister', pruned(new Uint8Array(32).fill(3))],
      ['time', leaf(Uint8Array.of(0x80, 0x01))],
      ['long', leaf(new Uint8Array(300).fill(1))],
    ]);
    for (const signature of [new Uint8Array(48).fill(0xab), new Uint8Array(0), new Uint8Array(24)]) {
      const bytes = encodeCertificate({ tree, signature });
      expect(bytes).toEqual(cborEncode({ tree: tree as unknown as CborEncodable, signature }, { selfDescribe: true }));
      expect(decodeCertificate(bytes)).toEqual({ tree, signature });
    }
  });
});
