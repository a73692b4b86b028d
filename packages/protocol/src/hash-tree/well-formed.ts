import { ErrorCode, ProtocolError } from '../errors';
import { flattenForks, NodeType, type HashTree } from './hash-tree';
import { compareBytes } from './label-bytes';

/**
 * Checks the interface spec's well-formedness rule: at every level of forks, labels strictly increase
 * (bytewise) and no leaf sits beside labels or forks. Absence proofs are only sound on such trees (an
 * unsorted forest could "prove" a present label absent), so decoders reject anything else with
 * `HASH_TREE_MALFORMED`.
 */
export function assertWellFormed(tree: HashTree): void {
  if (tree[0] === NodeType.Leaf) return;
  let previous: Uint8Array | undefined;
  for (const node of flattenForks(tree)) {
    if (node[0] === NodeType.Leaf) {
      throw new ProtocolError(ErrorCode.HashTreeMalformed, 'hash tree is not well-formed: a leaf beside labels or forks');
    }
    if (node[0] !== NodeType.Labeled) continue;
    if (previous !== undefined && compareBytes(previous, node[1]) >= 0) {
      throw new ProtocolError(ErrorCode.HashTreeMalformed, 'hash tree is not well-formed: labels are not strictly increasing');
    }
    previous = node[1];
    assertWellFormed(node[2]);
  }
}
