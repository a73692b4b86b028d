import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { empty, labeled, labeledForest, leaf, lookupPath, reconstruct, type HashTree } from './hash-tree';
import { decodeHashTree, encodeHashTree } from './hash-tree-cbor';
import { prunePaths } from './prune-paths';

const SPEC_TREE_HEX =
  '8301830183024161830183018302417882034568656c6c6f810083024179820345776f726c6483024162820344676f6f648301830241638100830241648203476d6f726e696e67';

describe('prunePaths on the interface spec example', () => {
  const tree = decodeHashTree(hexToBytes(SPEC_TREE_HEX));
  const witness = prunePaths(tree, [['a', 'x'], ['c'], ['e'], ['bb']]);

  it('keeps the root hash', () => {
    expect(bytesToHex(reconstruct(witness))).toBe(bytesToHex(reconstruct(tree)));
  });

  it('reveals the asked values and absences, and nothing else', () => {
    expect(lookupPath(witness, ['a', 'x'])).toEqual({ status: 'found', value: utf8ToBytes('hello') });
    expect(lookupPath(witness, ['c'])).toEqual({ status: 'absent' });
    expect(lookupPath(witness, ['e'])).toEqual({ status: 'absent' });
    expect(lookupPath(witness, ['bb'])).toEqual({ status: 'absent' });
    expect(lookupPath(witness, ['a', 'y']).status).toBe('unknown');
    expect(lookupPath(witness, ['b']).status).toBe('unknown');
    expect(lookupPath(witness, ['d']).status).toBe('unknown');
  });

  it('keeps a whole subtree when a path ends at it, and prunes everything for no paths', () => {
    const a = prunePaths(tree, [['a']]);
    expect(lookupPath(a, ['a', 'y'])).toEqual({ status: 'found', value: utf8ToBytes('world') });
    expect(lookupPath(a, ['b']).status).toBe('unknown');
    const none = prunePaths(tree, []);
    expect(none[0]).toBe(4);
    expect(reconstruct(none)).toEqual(reconstruct(tree));
    expect(prunePaths(tree, [[]])).toBe(tree);
  });
});

// Two-level state trees like the devnet's: top labels over leaves or over forests of leaves.
const labelArb = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'time', 'canister');
const forestArb: fc.Arbitrary<HashTree> = fc
  .uniqueArray(
    fc.tuple(
      labelArb,
      fc.oneof(
        fc.uint8Array({ maxLength: 4 }).map((value) => leaf(value)),
        fc.uniqueArray(fc.tuple(labelArb, fc.uint8Array({ maxLength: 4 })), { selector: ([l]) => l, maxLength: 4 }).map((inner) =>
          labeledForest(inner.map(([l, v]) => [l, leaf(v)] as const)),
        ),
        fc.constant(empty()),
      ),
    ),
    { selector: ([l]) => l, maxLength: 6 },
  )
  .map((entries) => labeledForest(entries));
const pathArb = fc.array(labelArb, { minLength: 1, maxLength: 2 });
const ALL_PATHS = ['a', 'b', 'c', 'd', 'e', 'time', 'canister'].flatMap((x) => [[x], ...['a', 'b', 'c', 'd', 'e', 'time', 'canister'].map((y) => [x, y])]);

const startsWith = (path: readonly string[], prefix: readonly string[]): boolean => prefix.every((p, i) => path[i] === p);

describe('prunePaths properties', () => {
  it('keeps the hash, answers asked paths as the full tree does, and reveals no other value', () => {
    fc.assert(
      fc.property(forestArb, fc.array(pathArb, { maxLength: 5 }), (tree, paths) => {
        const witness = prunePaths(tree, paths);
        expect(bytesToHex(reconstruct(witness))).toBe(bytesToHex(reconstruct(tree)));
        expect(decodeHashTree(encodeHashTree(witness))).toEqual(witness);
        for (const path of paths) expect(lookupPath(witness, path)).toEqual(lookupPath(tree, path));
        for (const path of ALL_PATHS) {
          // Values under an asked path are shown; so is a leaf an asked path runs into (it proves the rest absent).
          if (paths.some((asked) => startsWith(path, asked) || startsWith(asked, path))) continue;
          expect(lookupPath(witness, path).status).not.toBe('found');
        }
      }),
    );
  });

  it('works under a label, as a canister certificate tree nests it', () => {
    fc.assert(
      fc.property(forestArb, pathArb, (tree, path) => {
        const nested = labeledForest([['canister', labeled('x', tree)], ['time', leaf(Uint8Array.of(1))]]);
        const witness = prunePaths(nested, [['canister', 'x', ...path], ['time']]);
        expect(lookupPath(witness, ['canister', 'x', ...path])).toEqual(lookupPath(tree, path));
        expect(lookupPath(witness, ['time'])).toEqual({ status: 'found', value: Uint8Array.of(1) });
        expect(reconstruct(witness)).toEqual(reconstruct(nested));
      }),
    );
  });
});
