/**
 * The IC hash tree (interface spec, "Certification"): the structure behind certificates, `read_state`
 * answers and certified-data witnesses. Nodes are CBOR-shaped tuples, exactly as they travel on the wire, so a
 * decoded tree needs no conversion and a built tree encodes as it is.
 */
import { sha256 } from '@noble/hashes/sha256';
import { ErrorCode, ProtocolError } from '../errors';
import { bytesEqual, compareBytes, labelBytes, type LabelInput } from './label-bytes';

/** The node tags of the IC hash tree, as they appear as the first element of each CBOR node. */
export const NodeType = {
  Empty: 0,
  Fork: 1,
  Labeled: 2,
  Leaf: 3,
  Pruned: 4,
} as const;

export type NodeType = (typeof NodeType)[keyof typeof NodeType];

/** A tree with no labels: proves that nothing is there. */
export type EmptyNode = readonly [0];
/** Two subtrees side by side; labels in the left one sort before those in the right one. */
export type ForkNode = readonly [1, HashTree, HashTree];
/** A label (raw bytes) over a subtree. */
export type LabeledNode = readonly [2, Uint8Array, HashTree];
/** A value (raw bytes). */
export type LeafNode = readonly [3, Uint8Array];
/** A subtree replaced by its 32-byte root hash. */
export type PrunedNode = readonly [4, Uint8Array];
/** Any IC hash-tree node. */
export type HashTree = EmptyNode | ForkNode | LabeledNode | LeafNode | PrunedNode;

/** Length of a SHA-256 digest, and so of a pruned node's hash. */
export const HASH_LENGTH = 32;

const EMPTY_NODE: EmptyNode = [NodeType.Empty];

/** The empty tree. */
export function empty(): EmptyNode {
  return EMPTY_NODE;
}

/** A fork of two subtrees. */
export function fork(left: HashTree, right: HashTree): ForkNode {
  return [NodeType.Fork, left, right];
}

/** A labelled subtree; a text label is UTF-8 encoded. */
export function labeled(label: LabelInput, tree: HashTree): LabeledNode {
  return [NodeType.Labeled, labelBytes(label), tree];
}

/** A leaf holding `value`. */
export function leaf(value: Uint8Array): LeafNode {
  return [NodeType.Leaf, value];
}

/** A pruned subtree; `hash` must be 32 bytes (a `HASH_TREE_MALFORMED` error otherwise). */
export function pruned(hash: Uint8Array): PrunedNode {
  if (hash.length !== HASH_LENGTH) {
    throw new ProtocolError(ErrorCode.HashTreeMalformed, `pruned hash must be ${HASH_LENGTH} bytes, got ${hash.length}`);
  }
  return [NodeType.Pruned, hash];
}

// Each node hash starts with a domain separator: one length byte, then the ASCII tag.
function domainSeparator(tag: string): Uint8Array {
  const bytes = labelBytes(tag);
  const out = new Uint8Array(1 + bytes.length);
  out[0] = bytes.length;
  out.set(bytes, 1);
  return out;
}

const EMPTY_SEP = domainSeparator('ic-hashtree-empty');
const FORK_SEP = domainSeparator('ic-hashtree-fork');
const LABELED_SEP = domainSeparator('ic-hashtree-labeled');
const LEAF_SEP = domainSeparator('ic-hashtree-leaf');

/** SHA-256 of the concatenation of `parts`, written into `out` (32 bytes), which it returns. */
export type Sha256Into = (out: Uint8Array, parts: readonly Uint8Array[]) => Uint8Array;

// Node hashes are small (at most two blocks) and hot: the certified map computes dozens per update. Reusing
// one hasher, reset by cloning a pristine one, halves their cost against `sha256(concat(...))`. Safe because
// nothing can run between reset and digest.
const pristineHasher = sha256.create();
let scratchHasher: ReturnType<typeof sha256.create> | undefined;

const nobleSha256Into: Sha256Into = (out, parts) => {
  const hasher = pristineHasher._cloneInto(scratchHasher);
  scratchHasher = hasher;
  for (const part of parts) hasher.update(part);
  hasher.digestInto(out);
  return out;
};

/**
 * The node hashes of the IC hash tree (domain separator, then the node's parts) over a given SHA-256. The
 * functions below use @noble/hashes; a runtime where another implementation is faster (an interpreter such as
 * the QuickJS of Azle canisters) builds its own and hands it to `CertifiedMap`.
 */
export class NodeHasher {
  private emptyCache: Uint8Array | undefined;

  constructor(private readonly sha256Into: Sha256Into) {}

  /** The root hash of the empty tree (a fresh copy). */
  empty(): Uint8Array {
    this.emptyCache ??= this.sha256Into(new Uint8Array(HASH_LENGTH), [EMPTY_SEP]);
    return this.emptyCache.slice();
  }

  /** The hash of a fork whose subtrees hash to `left` and `right`, written into `out` (not one of the inputs). */
  forkInto(out: Uint8Array, left: Uint8Array, right: Uint8Array): Uint8Array {
    return this.sha256Into(out, [FORK_SEP, left, right]);
  }

  /** The hash of `labeled(label, t)` where `t` hashes to `subtreeHash`. */
  labeled(label: LabelInput, subtreeHash: Uint8Array): Uint8Array {
    return this.sha256Into(new Uint8Array(HASH_LENGTH), [LABELED_SEP, labelBytes(label), subtreeHash]);
  }

  /** The hash of `leaf(value)`. */
  leaf(value: Uint8Array): Uint8Array {
    return this.sha256Into(new Uint8Array(HASH_LENGTH), [LEAF_SEP, value]);
  }
}

/** The node hashes over @noble/hashes' SHA-256: what every function of this module uses. */
export const defaultNodeHasher = new NodeHasher(nobleSha256Into);

/** The root hash of the empty tree. Returns a fresh copy each call. */
export function emptyHash(): Uint8Array {
  return defaultNodeHasher.empty();
}

/** The hash of a fork whose subtrees hash to `left` and `right`. */
export function forkHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return defaultNodeHasher.forkInto(new Uint8Array(HASH_LENGTH), left, right);
}

/**
 * Internal (not exported from the package): {@link forkHash} written into `out`, which must not be one of
 * the inputs. Lets the certified map update its cached hashes in place instead of allocating per node.
 */
export function forkHashInto(out: Uint8Array, left: Uint8Array, right: Uint8Array): Uint8Array {
  return defaultNodeHasher.forkInto(out, left, right);
}

/** The hash of `labeled(label, t)` where `t` hashes to `subtreeHash`. */
export function labeledHash(label: LabelInput, subtreeHash: Uint8Array): Uint8Array {
  return defaultNodeHasher.labeled(label, subtreeHash);
}

/** The hash of `leaf(value)`. */
export function leafHash(value: Uint8Array): Uint8Array {
  return defaultNodeHasher.leaf(value);
}

/**
 * The root hash of `tree` (the spec's `reconstruct`). A witness is valid for a certificate exactly when this
 * equals the certified data, so this is the one function every verifier relies on.
 */
export function reconstruct(tree: HashTree): Uint8Array {
  switch (tree[0]) {
    case NodeType.Empty:
      return emptyHash();
    case NodeType.Fork:
      return forkHash(reconstruct(tree[1]), reconstruct(tree[2]));
    case NodeType.Labeled:
      return labeledHash(tree[1], reconstruct(tree[2]));
    case NodeType.Leaf:
      return leafHash(tree[1]);
    case NodeType.Pruned:
      return tree[1];
    default:
      throw new ProtocolError(ErrorCode.HashTreeMalformed, `unknown hash-tree node tag ${String((tree as readonly unknown[])[0])}`);
  }
}

/** The labelled children of a fork structure, left to right (the spec's `flatten_forks`); Empty vanishes. */
export function flattenForks(tree: HashTree): HashTree[] {
  const out: HashTree[] = [];
  const visit = (node: HashTree): void => {
    if (node[0] === NodeType.Empty) return;
    if (node[0] === NodeType.Fork) {
      visit(node[1]);
      visit(node[2]);
      return;
    }
    out.push(node);
  };
  visit(tree);
  return out;
}

/** A path lookup's answer: a proven value, a proof that nothing is there, or no proof either way. */
export type LookupResult =
  | { readonly status: 'found'; readonly value: Uint8Array }
  | { readonly status: 'absent' }
  | { readonly status: 'unknown' };

/** Like {@link LookupResult}, but `found` carries the subtree at the path. */
export type SubtreeLookupResult =
  | { readonly status: 'found'; readonly tree: HashTree }
  | { readonly status: 'absent' }
  | { readonly status: 'unknown' };

const ABSENT = { status: 'absent' } as const;
const UNKNOWN = { status: 'unknown' } as const;

// The spec's find_label over one level of forks. `absent` needs proof: neighbours whose labels bracket
// `label` with nothing (not even a pruned subtree) between them; anything less is `unknown`.
function findLabel(label: Uint8Array, forest: readonly HashTree[]): SubtreeLookupResult {
  if (forest.length === 0) return ABSENT;
  if (forest.length === 1 && forest[0]?.[0] === NodeType.Leaf) return ABSENT;
  for (let i = 0; i < forest.length; i++) {
    const node = forest[i] as HashTree;
    if (node[0] !== NodeType.Labeled) continue;
    const order = compareBytes(label, node[1]);
    if (order === 0) return { status: 'found', tree: node[2] };
    if (order < 0) {
      if (i === 0) return ABSENT;
      const before = forest[i - 1] as HashTree;
      return before[0] === NodeType.Labeled && compareBytes(before[1], label) < 0 ? ABSENT : UNKNOWN;
    }
  }
  const last = forest[forest.length - 1] as HashTree;
  return last[0] === NodeType.Labeled && compareBytes(last[1], label) < 0 ? ABSENT : UNKNOWN;
}

/** The subtree at `path` (an empty path gives `tree` itself), or proof that there is none, or `unknown`. */
export function lookupSubtree(tree: HashTree, path: readonly LabelInput[]): SubtreeLookupResult {
  let node = tree;
  for (const segment of path) {
    const result = findLabel(labelBytes(segment), flattenForks(node));
    if (result.status !== 'found') return result;
    node = result.tree;
  }
  return { status: 'found', tree: node };
}

/**
 * Looks up the value at `path`, following the IC interface spec's `lookup_path`: `found` only for a leaf,
 * `absent` only when the tree proves there is nothing (empty subtree, or labels bracketing the missing one),
 * and `unknown` when pruned subtrees hide the answer. A path that ends at a fork or a labelled node (the
 * spec's `Error`) also gives `unknown`: no value is proven there.
 */
export function lookupPath(tree: HashTree, path: readonly LabelInput[]): LookupResult {
  const result = lookupSubtree(tree, path);
  if (result.status !== 'found') return result;
  const node = result.tree;
  if (node[0] === NodeType.Leaf) return { status: 'found', value: node[1] };
  if (node[0] === NodeType.Empty) return ABSENT;
  return UNKNOWN;
}

/**
 * A forest of labelled subtrees as a balanced fork tree, labels sorted bytewise (text is UTF-8). This is how
 * the devnet lays out certificate state trees (`time`, `canister/<id>/certified_data`, ...). No entries
 * gives the empty tree; a repeated label is a `HASH_TREE_MALFORMED` error.
 */
export function labeledForest(entries: Iterable<readonly [LabelInput, HashTree]>): HashTree {
  const nodes = Array.from(entries, ([label, tree]) => labeled(label, tree));
  nodes.sort((a, b) => compareBytes(a[1], b[1]));
  for (let i = 1; i < nodes.length; i++) {
    const previous = (nodes[i - 1] as LabeledNode)[1];
    if (bytesEqual(previous, (nodes[i] as LabeledNode)[1])) {
      throw new ProtocolError(ErrorCode.HashTreeMalformed, 'labeledForest: duplicate label');
    }
  }
  const build = (from: number, to: number): HashTree => {
    if (to - from === 0) return EMPTY_NODE;
    if (to - from === 1) return nodes[from] as LabeledNode;
    const mid = from + Math.ceil((to - from) / 2);
    return fork(build(from, mid), build(mid, to));
  };
  return build(0, nodes.length);
}
