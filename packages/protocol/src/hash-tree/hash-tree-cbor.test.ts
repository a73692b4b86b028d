import { hexToBytes } from '@noble/hashes/utils';
import { describe, expect, it } from 'vitest';
import { cborEncode, cborDecode, type CborEncodable } from '../cbor/cbor';
import { ErrorCode, ProtocolError } from '../errors';
import { empty, fork, labeled, leaf, pruned, reconstruct, type HashTree } from './hash-tree';
import { decodeHashTree, encodeHashTree, hashTreeFromCbor } from './hash-tree-cbor';

const SPEC_TREE_HEX =
  '8301830183024161830183018302417882034568656c6c6f810083024179820345776f726c6483024162820344676f6f648301830241638100830241648203476d6f726e696e67';

/** Runs `decode`, expecting a ProtocolError with `code`; returns it and how long the rejection took. */
function rejects(decode: () => unknown, code: string): { error: ProtocolError; ms: number } {
  const start = performance.now();
  try {
    decode();
  } catch (error) {
    const ms = performance.now() - start;
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).code).toBe(code);
    return { error: error as ProtocolError, ms };
  }
  throw new Error('expected a ProtocolError, but decoding succeeded');
}

const encode = (value: unknown): Uint8Array => cborEncode(value as CborEncodable);
const bytes = (n: number): Uint8Array => new Uint8Array(n).fill(7);

describe('encodeHashTree / decodeHashTree', () => {
  it('writes exactly the bytes of the generic CBOR encoder, for every node type and head size', () => {
    const sizes = [0, 1, 23, 24, 255, 256, 65_535, 65_536];
    const trees: HashTree[] = [
      empty(),
      pruned(bytes(32)),
      ...sizes.map((n) => leaf(bytes(n))),
      ...sizes.map((n) => labeled(bytes(n), fork(leaf(bytes(1)), pruned(bytes(32))))),
      fork(fork(labeled('a', leaf(bytes(2))), empty()), labeled('websocket', fork(pruned(bytes(32)), labeled('k', leaf(bytes(32)))))),
    ];
    for (const tree of trees) {
      for (const selfDescribe of [true, false]) {
        expect(encodeHashTree(tree, { selfDescribe })).toEqual(cborEncode(tree as unknown as CborEncodable, { selfDescribe }));
      }
    }
  });

  it('refuses a node of unknown type', () => {
    rejects(() => encodeHashTree(fork(empty(), [9] as unknown as HashTree)), ErrorCode.HashTreeMalformed);
  });

  it('round-trips every node type, with and without the self-describe tag', () => {
    const tree: HashTree = fork(labeled('a', fork(leaf(bytes(3)), empty())), labeled('b', pruned(bytes(32))));
    // A leaf beside a fork is not well-formed, so use a well-formed variant for the round trip.
    const wellFormed: HashTree = fork(labeled('a', leaf(bytes(3))), fork(labeled('b', pruned(bytes(32))), empty()));
    for (const selfDescribe of [true, false]) {
      expect(decodeHashTree(encodeHashTree(wellFormed, { selfDescribe }))).toEqual(wellFormed);
    }
    rejects(() => decodeHashTree(encodeHashTree(tree)), ErrorCode.HashTreeMalformed);
  });

  it('validates a tree embedded in a larger CBOR document (as in an IC certificate)', () => {
    const certificateLike = new Map<string, unknown>([['tree', cborDecode(hexToBytes(SPEC_TREE_HEX))], ['signature', bytes(48)]]);
    const doc = cborDecode(encode(certificateLike));
    if (!(doc instanceof Map)) throw new Error('expected a map');
    const tree = hashTreeFromCbor(doc.get('tree') ?? null);
    expect(reconstruct(tree)).toEqual(reconstruct(decodeHashTree(hexToBytes(SPEC_TREE_HEX))));
    rejects(() => hashTreeFromCbor(doc), ErrorCode.HashTreeMalformed);
  });
});

describe('malformed hash trees are rejected with typed errors', () => {
  it('truncated CBOR', () => {
    const full = hexToBytes(SPEC_TREE_HEX);
    for (const cut of [1, 10, full.length - 1]) rejects(() => decodeHashTree(full.subarray(0, cut)), ErrorCode.CborMalformed);
    rejects(() => decodeHashTree(new Uint8Array(0)), ErrorCode.CborMalformed);
  });

  it('wrong node tags', () => {
    for (const node of [[5], [-1], [1.5], ['0'], [null], [], 'leaf', new Map(), 3, [2 ** 40]]) {
      rejects(() => decodeHashTree(encode(node)), ErrorCode.HashTreeMalformed);
    }
  });

  it('wrong arity', () => {
    for (const node of [[0, 0], [1, [0]], [1, [0], [0], [0]], [2, bytes(1)], [3], [3, bytes(1), bytes(1)], [4]]) {
      rejects(() => decodeHashTree(encode(node)), ErrorCode.HashTreeMalformed);
    }
  });

  it('fields of the wrong type or length', () => {
    for (const node of [[2, 'a', [0]], [3, 'text'], [4, bytes(31)], [4, bytes(33)], [3, [1, 2]], [1, [0], 'x']]) {
      rejects(() => decodeHashTree(encode(node)), ErrorCode.HashTreeMalformed);
    }
  });

  it('trees that are not well-formed', () => {
    const unsorted = [1, [2, bytes(2), [0]], [2, bytes(1), [0]]];
    const duplicate = [1, [2, bytes(1), [0]], [2, bytes(1), [0]]];
    const leafBesideLabel = [1, [3, bytes(1)], [2, bytes(1), [0]]];
    for (const node of [unsorted, duplicate, leafBesideLabel]) rejects(() => decodeHashTree(encode(node)), ErrorCode.HashTreeMalformed);
  });

  it('1000-deep nesting, quickly and without a stack overflow', () => {
    let labeledChain: unknown = [3, bytes(1)];
    let forkChain: unknown = [0];
    for (let i = 0; i < 1000; i++) {
      labeledChain = [2, bytes(1), labeledChain];
      forkChain = [1, forkChain, [0]];
    }
    for (const node of [labeledChain, forkChain]) {
      const { error, ms } = rejects(() => decodeHashTree(encode(node)), ErrorCode.HashTreeMalformed);
      expect(error.message).toContain('deeper than 128');
      expect(ms).toBeLessThan(1000);
    }
    // Far deeper raw nesting fails in the CBOR layer, still as a typed error.
    rejects(() => decodeHashTree(new Uint8Array(500_000).fill(0x81)), ErrorCode.CborMalformed);
  });

  it('respects a custom maxDepth', () => {
    const deep = [2, bytes(1), [2, bytes(1), [3, bytes(1)]]];
    expect(() => decodeHashTree(encode(deep), { maxDepth: 3 })).not.toThrow();
    rejects(() => decodeHashTree(encode(deep), { maxDepth: 2 }), ErrorCode.HashTreeMalformed);
  });

  it('a 10 MB label, quickly', () => {
    const { ms } = rejects(() => decodeHashTree(encode([2, new Uint8Array(10_000_000), [0]])), ErrorCode.FieldTooLarge);
    expect(ms).toBeLessThan(2000);
  });

  it('input that is not a Uint8Array', () => {
    rejects(() => decodeHashTree('8100' as unknown as Uint8Array), ErrorCode.CborMalformed);
  });
});
