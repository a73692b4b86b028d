/**
 * Internal: the nodes of CertifiedMap. A treap whose priorities are a hash of the key, so the tree's shape,
 * and with it the root hash, depends only on the set of keys, never on the order of inserts and deletes (a
 * canister rebuilt from the same queue certifies the same hash). Expected depth is O(log n).
 *
 * Hash layout (leaf-oriented, one fork per node, so an update costs one hash per level):
 * node x = fork(A, B) where A is x's left subtree or, without one, the entry just before x (Empty before the
 * first entry), and B is x's right subtree or, without one, x's own entry; an entry is
 * `labeled(key, leaf(value))`. Flattening lists the entries in key order, each exactly once.
 *
 * Hashes are settled lazily: changes mark the nodes whose hash they affect as dirty (always a connected set
 * containing the root), and `settle` rehashes exactly those, once each, in place.
 */
import { HASH_LENGTH, type NodeHasher } from './hash-tree';
import { compareBytes, compareBytesFrom } from './label-bytes';

/** One entry of the map, its neighbours in key order, and the cached hashes of it and of its subtree. */
export interface TreapNode<V = Uint8Array> {
  readonly key: Uint8Array;
  readonly priority: number;
  value: V;
  /** Hash of the entry, `labeled(key, <value's tree>)`. */
  selfHash: Uint8Array;
  left: TreapNode<V> | null;
  right: TreapNode<V> | null;
  /** The entries before and after this one, in key order. */
  prev: TreapNode<V> | null;
  next: TreapNode<V> | null;
  /** Hash of this node's subtree, in the layout above; owned by the node and rewritten in place. */
  readonly subtreeHash: Uint8Array;
  /** True while `subtreeHash` is stale. */
  dirty: boolean;
}

/** A fresh unlinked node, dirty until settled. */
export function newNode<V>(key: Uint8Array, value: V, selfHash: Uint8Array, priority = hashedKeyPriority(key)): TreapNode<V> {
  return {
    key,
    priority,
    value,
    selfHash,
    left: null,
    right: null,
    prev: null,
    next: null,
    subtreeHash: new Uint8Array(HASH_LENGTH),
    dirty: true,
  };
}

/**
 * The default treap priority of a key: FNV-1a then the murmur3 finaliser, cheap, and it spreads sequential keys
 * (`..._00000000000000000001`, `..._02`) over the whole 32-bit range, which keeps the treap's expected depth
 * logarithmic. A 32-bit unsigned integer.
 */
export function hashedKeyPriority(key: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ (key[i] as number), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

// The heap order; ties are broken by key so the shape stays a function of the key set.
function outranks<V>(a: TreapNode<V>, b: TreapNode<V>): boolean {
  return a.priority !== b.priority ? a.priority > b.priority : compareBytes(a.key, b.key) < 0;
}

/**
 * Rehashes every dirty node of the subtree (children first), in place, and clears the flags. `emptyTreeHash`
 * is the hash of Empty (what stands before the first entry).
 */
export function settle<V>(node: TreapNode<V> | null, hasher: NodeHasher, emptyTreeHash: Uint8Array): void {
  if (node === null || !node.dirty) return;
  settle(node.left, hasher, emptyTreeHash);
  settle(node.right, hasher, emptyTreeHash);
  const a = node.left ? node.left.subtreeHash : node.prev ? node.prev.selfHash : emptyTreeHash;
  const b = node.right ? node.right.subtreeHash : node.selfHash;
  hasher.forkInto(node.subtreeHash, a, b);
  node.dirty = false;
}

function rotateRight<V>(node: TreapNode<V>): TreapNode<V> {
  const pivot = node.left as TreapNode<V>;
  node.left = pivot.right;
  pivot.right = node;
  node.dirty = pivot.dirty = true;
  return pivot;
}

function rotateLeft<V>(node: TreapNode<V>): TreapNode<V> {
  const pivot = node.right as TreapNode<V>;
  node.right = pivot.left;
  pivot.left = node;
  node.dirty = pivot.dirty = true;
  return pivot;
}

/**
 * Inserts `fresh` and links it between its neighbours, or, if its key is present, moves its value and entry
 * hash into that node (and sets `result.replaced`). Returns the new root. Every node on the search path is
 * marked dirty; that covers the new entry's neighbours too, as a new leaf's neighbours are its ancestors.
 */
export function insertNode<V>(
  root: TreapNode<V> | null,
  fresh: TreapNode<V>,
  result: { replaced: boolean },
  aboveAll = false,
): TreapNode<V> {
  let prev: TreapNode<V> | null = null;
  let next: TreapNode<V> | null = null;
  // `low`/`high`: bytes the key shares with the nearest bounds so far; every key between shares the fewer.
  // `aboveAll`: the caller knows the key is above every key of the tree (an append), so it goes right at
  // every node without comparing (a queue's keys share a long prefix, and comparisons are what an insert costs).
  const insert = (node: TreapNode<V> | null, low: number, high: number): TreapNode<V> => {
    if (node === null) return fresh;
    node.dirty = true;
    const order = aboveAll ? 1 : compareBytesFrom(fresh.key, node.key, Math.min(low, high));
    if (order === 0) {
      node.value = fresh.value;
      node.selfHash = fresh.selfHash;
      result.replaced = true;
      // The entry hash also sits in the successor when that is the leftmost node of the right subtree.
      for (let below = node.right; below !== null; below = below.left) below.dirty = true;
      return node;
    }
    if (order < 0) {
      next = node;
      node.left = insert(node.left, low, -order - 1);
      return outranks(node.left, node) ? rotateRight(node) : node;
    }
    prev = node;
    node.right = insert(node.right, order - 1, high);
    return outranks(node.right, node) ? rotateLeft(node) : node;
  };
  const newRoot = insert(root, 0, 0);
  if (!result.replaced) link(fresh, prev, next);
  return newRoot;
}

function link<V>(node: TreapNode<V>, prev: TreapNode<V> | null, next: TreapNode<V> | null): void {
  node.prev = prev;
  node.next = next;
  if (prev) prev.next = node;
  if (next) next.prev = node;
}

/**
 * Removes the node with `key` and unlinks it. Returns the new root, the removed node (null if absent) and the
 * neighbours it had in key order.
 */
export function removeNode<V>(
  root: TreapNode<V> | null,
  key: Uint8Array,
): { root: TreapNode<V> | null; removed: TreapNode<V> | null; prev: TreapNode<V> | null; next: TreapNode<V> | null } {
  let removed: TreapNode<V> | null = null;
  const remove = (node: TreapNode<V> | null, low: number, high: number): TreapNode<V> | null => {
    if (node === null) return null;
    const order = compareBytesFrom(key, node.key, Math.min(low, high));
    if (order === 0) {
      removed = node;
      return unlink(node);
    }
    if (order < 0) node.left = remove(node.left, low, -order - 1);
    else node.right = remove(node.right, order - 1, high);
    // Marked on the way back, so a miss leaves every cached hash valid.
    if (removed !== null) node.dirty = true;
    return node;
  };
  const newRoot = remove(root, 0, 0);
  const target = removed as TreapNode<V> | null;
  if (target === null) return { root: newRoot, removed: null, prev: null, next: null };
  const { prev, next } = target;
  if (prev) prev.next = next;
  if (next) next.prev = prev;
  target.prev = target.next = null;
  return { root: newRoot, removed: target, prev, next };
}

// Rotates `node` below its higher-priority child until it has at most one child, then drops it. The
// neighbours of a node being dropped are its ancestors (dirty already), except that with only a right
// subtree the successor is that subtree's leftmost node, whose left-hand entry changes: mark its spine.
function unlink<V>(node: TreapNode<V>): TreapNode<V> | null {
  const { left, right } = node;
  if (left === null) {
    for (let below = right; below !== null; below = below.left) below.dirty = true;
    return right;
  }
  if (right === null) return left;
  const root = outranks(left, right) ? rotateRight(node) : rotateLeft(node);
  if (root === left) root.right = unlink(node);
  else root.left = unlink(node);
  return root;
}
