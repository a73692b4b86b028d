import { sha256 } from '@noble/hashes/sha256';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils';
import { describe, expect, it } from 'vitest';
import { ErrorCode, ProtocolError } from '../errors';
import {
  empty,
  emptyHash,
  flattenForks,
  fork,
  labeled,
  labeledForest,
  leaf,
  lookupPath,
  lookupSubtree,
  NodeType,
  pruned,
  reconstruct,
  type HashTree,
} from './hash-tree';
import { decodeHashTree, encodeHashTree } from './hash-tree-cbor';

// The worked example of the IC interface specification ("Example" under "Certification").
const SPEC_TREE_HEX =
  '8301830183024161830183018302417882034568656c6c6f810083024179820345776f726c6483024162820344676f6f648301830241638100830241648203476d6f726e696e67';
const SPEC_ROOT_HEX = 'eb5c5b2195e62d996b84c9bcc8259d19a83786a2f59e0878cec84c811f669aa0';

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

describe('IC interface spec example', () => {
  const tree = decodeHashTree(hexToBytes(SPEC_TREE_HEX));

  it('reconstructs to the published root hash', () => {
    expect(bytesToHex(reconstruct(tree))).toBe(SPEC_ROOT_HEX);
  });

  it('equals the tree built with the constructors and re-encodes to the same bytes', () => {
    const built = fork(
      fork(labeled('a', fork(fork(labeled('x', leaf(utf8ToBytes('hello'))), empty()), labeled('y', leaf(utf8ToBytes('world'))))), labeled('b', leaf(utf8ToBytes('good')))),
      fork(labeled('c', empty()), labeled('d', leaf(utf8ToBytes('morning')))),
    );
    expect(tree).toEqual(built);
    expect(bytesToHex(encodeHashTree(built, { selfDescribe: false }))).toBe(SPEC_TREE_HEX);
    expect(bytesToHex(encodeHashTree(built)).startsWith('d9d9f7')).toBe(true);
  });

  it.each([
    [['a', 'x'], 'hello'],
    [['a', 'y'], 'world'],
    [['b'], 'good'],
    [['d'], 'morning'],
  ])('finds %j = %s', (path, value) => {
    const result = lookupPath(tree, path);
    expect(result.status).toBe('found');
    expect(result.status === 'found' && text(result.value)).toBe(value);
  });

  it.each([[['c']], [['c', 'x']], [['a', 'a']], [['a', 'z']], [['aa']], [['bb']], [['e']], [['b', 'x']], [['']]])(
    'proves %j absent',
    (path) => {
      expect(lookupPath(tree, path)).toEqual({ status: 'absent' });
    },
  );

  it('answers unknown where pruning hides the answer, and for a path ending at a subtree', () => {
    const a = lookupSubtree(tree, ['a']);
    if (a.status !== 'found') throw new Error('a not found');
    const prunedA = fork(fork(labeled('a', pruned(reconstruct(a.tree))), labeled('b', leaf(utf8ToBytes('good')))), pruned(new Uint8Array(32)));
    expect(lookupPath(prunedA, ['a', 'x'])).toEqual({ status: 'unknown' });
    expect(lookupPath(prunedA, ['c'])).toEqual({ status: 'unknown' });
    expect(lookupPath(prunedA, ['b']).status).toBe('found');
    expect(lookupPath(tree, ['a'])).toEqual({ status: 'unknown' });
    expect(lookupPath(tree, [])).toEqual({ status: 'unknown' });
  });
});

describe('node hashes', () => {
  it('hashes the empty tree with its domain separator', () => {
    const expected = sha256(Uint8Array.of(17, ...utf8ToBytes('ic-hashtree-empty')));
    expect(emptyHash()).toEqual(expected);
    expect(reconstruct(empty())).toEqual(expected);
  });

  it('returns a pruned node hash as is and rejects pruned hashes that are not 32 bytes', () => {
    const hash = sha256(utf8ToBytes('x'));
    expect(reconstruct(pruned(hash))).toEqual(hash);
    expect(() => pruned(new Uint8Array(31))).toThrow(ProtocolError);
  });

  it('lets a pruned subtree stand in for the subtree', () => {
    const sub = fork(labeled('k', leaf(utf8ToBytes('v'))), empty());
    expect(reconstruct(labeled('z', pruned(reconstruct(sub))))).toEqual(reconstruct(labeled('z', sub)));
  });
});

describe('labeledForest', () => {
  it('sorts labels bytewise and makes each one findable', () => {
    const entries: [string | Uint8Array, HashTree][] = ['time', 'canister', 'subnet', 'b', 'a'].map((l, i) => [l, leaf(Uint8Array.of(i))]);
    entries.push([Uint8Array.of(0xff), leaf(Uint8Array.of(9))]);
    const tree = labeledForest(entries);
    const labels = flattenForks(tree).map((node) => (node[0] === NodeType.Labeled ? text(node[1]) : '?'));
    expect(labels).toEqual(['a', 'b', 'canister', 'subnet', 'time', '\ufffd']);
    expect(lookupPath(tree, ['time'])).toEqual({ status: 'found', value: Uint8Array.of(0) });
    expect(lookupPath(tree, [Uint8Array.of(0xff)])).toEqual({ status: 'found', value: Uint8Array.of(9) });
    expect(lookupPath(tree, ['c'])).toEqual({ status: 'absent' });
  });

  it('balances the forks', () => {
    const tree = labeledForest(Array.from({ length: 1024 }, (_, i) => [`k${i}`, empty()] as const));
    const depth = (node: HashTree): number => (node[0] === NodeType.Fork ? 1 + Math.max(depth(node[1]), depth(node[2])) : 0);
    expect(depth(tree)).toBe(10);
  });

  it('gives Empty for no entries and rejects duplicate labels', () => {
    expect(labeledForest([])).toEqual(empty());
    try {
      labeledForest([['a', empty()], [utf8ToBytes('a'), empty()]]);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ProtocolError);
      expect((error as ProtocolError).code).toBe(ErrorCode.HashTreeMalformed);
    }
  });
});
