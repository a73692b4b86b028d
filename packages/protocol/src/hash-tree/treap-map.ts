/**
 * Internal: a map from labels to values, kept as a treap whose IC hash tree is a labelled forest with one entry
 * `labeled(key, <value's tree>)` per key, and whose root hash is kept up to date in O(log n) (expected) per
 * change. `CertifiedMap` (32-byte leaf values) and `CertifiedTreeMap` (whole subtrees as values) are its two
 * faces; the treap, the witnesses and the iteration live here once.
 */
import { ErrorCode, ProtocolError } from '../errors';
import { hashedKeyPriority, insertNode, newNode, removeNode, settle, type TreapNode } from './treap-node';
import { defaultNodeHasher, empty, fork, labeled, pruned, type HashTree, type NodeHasher } from './hash-tree';
import { HASH_TREE_DECODE_DEFAULTS } from './hash-tree-cbor';
import { bytesEqual, compareBytes, compareBytesFrom, labelBytes, type LabelInput } from './label-bytes';

/** Longest key the map accepts: the longest label {@link decodeHashTree} accepts by default. */
export const CERTIFIED_MAP_MAX_KEY_BYTES = HASH_TREE_DECODE_DEFAULTS.maxLabelBytes;

/** How the values of a {@link LabeledTreapMap} appear in its hash tree, and how they enter and leave it. */
export interface EntryValueCodec<V> {
  /** The root hash of {@link tree}`(value)`, the subtree under the entry's label, with the map's hasher. */
  hash(value: V, hasher: NodeHasher): Uint8Array;
  /** The value's subtree, revealed in full. */
  tree(value: V): HashTree;
  /** Checks a value and returns what the map may keep or hand out (a copy where values are mutable). */
  copy(value: V): V;
}

/**
 * Sorted keys (bytes; text is UTF-8) to values, ordered bytewise, as an IC hash tree. The root hash depends
 * only on the contents, never on the order of changes (the treap's shape is a function of the key set).
 * Keys are copied on the way in and out, values as the codec says, so callers cannot corrupt it.
 */
export class LabeledTreapMap<V> {
  private root: TreapNode<V> | null = null;
  private count = 0;
  // The entries with the smallest and largest keys, kept up to date so no operation walks to them.
  private first: TreapNode<V> | null = null;
  private last: TreapNode<V> | null = null;
  // Bumped on every change so live iterators notice and re-seek instead of walking a rotated tree.
  private version = 0;

  /** Number of entries. */
  get size(): number {
    return this.count;
  }

  private readonly emptyTreeHash: Uint8Array;

  /**
   * @param codec how values appear in the tree, and how they are checked and copied on the way in and out
   * @param hasher the node hashes (the SHA-256 they use)
   * @param priority the treap priority of a key (a number; higher sits nearer the root, ties go to the smaller
   *   key): the tree's shape, so what a change costs in hashes. It must depend on the key alone, so the shape
   *   stays a function of the key set.
   */
  constructor(
    private readonly codec: EntryValueCodec<V>,
    /** The node hashes this map computes with. */
    readonly hasher: NodeHasher = defaultNodeHasher,
    private readonly priority: (key: Uint8Array) => number = hashedKeyPriority,
  ) {
    this.emptyTreeHash = hasher.empty();
  }

  /**
   * Inserts or replaces `key`'s value. Throws `FIELD_TOO_LARGE` for a key longer than
   * {@link CERTIFIED_MAP_MAX_KEY_BYTES}, and what the codec throws for a bad value. O(log n) expected.
   */
  set(key: LabelInput, value: V): this {
    const keyBytes = checkedKey(key).slice();
    const copy = this.codec.copy(value);
    const selfHash = this.hasher.labeled(keyBytes, this.codec.hash(copy, this.hasher));
    const result = { replaced: false };
    const fresh = newNode(keyBytes, copy, selfHash, this.priority(keyBytes));
    // Appending (the way queues grow) needs one comparison, with the last key, instead of one per level.
    const aboveAll = this.last !== null && compareBytes(keyBytes, this.last.key) > 0;
    this.root = insertNode(this.root, fresh, result, aboveAll);
    if (!result.replaced) {
      this.count++;
      if (fresh.prev === null) this.first = fresh;
      if (fresh.next === null) this.last = fresh;
    }
    this.version++;
    return this;
  }

  /** Removes `key`; returns whether it was there. O(log n) expected. */
  delete(key: LabelInput): boolean {
    const { root, removed, prev, next } = removeNode(this.root, labelBytes(key));
    this.root = root;
    if (removed === null) return false;
    if (removed === this.first) this.first = next;
    if (removed === this.last) this.last = prev;
    this.count--;
    this.version++;
    return true;
  }

  /** Removes every entry. */
  clear(): void {
    this.root = null;
    this.first = this.last = null;
    this.count = 0;
    this.version++;
  }

  /** The value at `key` (copied as the codec says), or undefined. O(log n). */
  get(key: LabelInput): V | undefined {
    const node = this.find(labelBytes(key));
    return node === null ? undefined : this.codec.copy(node.value);
  }

  /** Whether `key` is in the map. O(log n). */
  has(key: LabelInput): boolean {
    return this.find(labelBytes(key)) !== null;
  }

  /**
   * The root hash of {@link tree} (the hash of Empty for an empty map). Cached: set/delete only mark what they
   * change, and this call rehashes those paths, one hash per changed node, so it costs O(log n) per change
   * since the previous call (several changes near each other share their path), and O(1) without changes.
   */
  rootHash(): Uint8Array {
    settle(this.root, this.hasher, this.emptyTreeHash);
    return this.root === null ? this.emptyTreeHash.slice() : this.root.subtreeHash.slice();
  }

  /** The whole map as a hash tree, nothing pruned. O(n). */
  tree(): HashTree {
    const build = (node: TreapNode<V>): HashTree =>
      fork(
        node.left ? build(node.left) : node.prev ? this.entryTree(node.prev, true) : empty(),
        node.right ? build(node.right) : this.entryTree(node, true),
      );
    return this.root === null ? empty() : build(this.root);
  }

  /**
   * A pruned tree, with the same root hash as {@link tree}, that reveals the value of every given key in the
   * map and proves every other given key absent (its neighbours' labels are revealed, their values pruned).
   * Nothing else is revealed. O(k log n) for k keys.
   */
  witness(keys: Iterable<LabelInput>): HashTree {
    if (this.root === null) return empty();
    const wanted: Target[] = [];
    let provesBelowFirst = false;
    for (const input of keys) {
      const key = labelBytes(input);
      if (this.find(key) !== null) {
        wanted.push({ key, reveal: true });
        continue;
      }
      const below = this.neighbour(key, 'below');
      const above = this.neighbour(key, 'above');
      if (below) wanted.push({ key: below.key, reveal: false });
      else provesBelowFirst = true;
      if (above) wanted.push({ key: above.key, reveal: false });
    }
    return this.witnessOf(mergeTargets(wanted), provesBelowFirst);
  }

  /**
   * The {@link witness} of every key from `first` to `last` (both in the map; a batch of consecutive entries,
   * such as a run of one gateway's queue), without looking each key up: O(k + log n) for k entries. Throws
   * `OUT_OF_RANGE` if either key is missing or `first` is above `last`.
   */
  witnessRange(first: LabelInput, last: LabelInput): HashTree {
    const from = this.find(labelBytes(first));
    const to = this.find(labelBytes(last));
    if (from === null || to === null || compareBytes(from.key, to.key) > 0) {
      throw new ProtocolError(ErrorCode.OutOfRange, 'witnessRange needs two keys of the map, the first not above the last');
    }
    const targets: Target[] = [];
    for (let node: TreapNode<V> | null = from; node !== null; node = node.next) {
      targets.push({ key: node.key, reveal: true });
      if (node === to) break;
    }
    return this.witnessOf(targets, false);
  }

  // The pruned tree revealing `sorted` (map keys, sorted, no duplicates), see `witness`.
  private witnessOf(sorted: readonly Target[], provesBelowFirst: boolean): HashTree {
    if (this.root === null) return empty();
    settle(this.root, this.hasher, this.emptyTreeHash);
    // Left of node x lie the entries below x.key (in its left subtree, or the one entry before x); right of
    // it, x's own entry and those above. Targets are split the same way on the way down.
    // The Empty before the first entry is shown as a pruned node of the same hash unless the witness must
    // prove a key below the first entry absent. agent-js's lookup (@dfinity/agent 2.x and 3.x, hence
    // ic-websocket-js) stops at an Empty inside a fork and calls every later label absent, against the spec
    // (flatten_forks drops Empty); at a pruned node it reads on. The root hash is the same either way.
    const beforeFirst = (): HashTree => (provesBelowFirst ? empty() : pruned(this.emptyTreeHash.slice()));
    const gap = (entry: TreapNode<V> | null, from: number, to: number): HashTree => {
      if (entry === null) return beforeFirst();
      const target = from < to ? sorted[from] : undefined;
      return target !== undefined && (target.key === entry.key || bytesEqual(target.key, entry.key)) ? this.entryTree(entry, target.reveal) : pruned(entry.selfHash.slice());
    };
    // Targets are map keys, so every key met below a node lies between the keys bounding its subtree
    // (`low`..`high`, the whole map's range at the root) and shares their common prefix: `skip` bytes that
    // comparisons need not look at again (`known` is the parent's, a head start for computing it).
    const build = (node: TreapNode<V>, from: number, to: number, low: Uint8Array, high: Uint8Array, known: number): HashTree => {
      if (from >= to) return pruned(node.subtreeHash.slice());
      const skip = commonPrefix(low, high, known);
      const at = lowerBound(sorted, from, to, node.key, skip);
      return fork(
        node.left ? build(node.left, from, at, low, node.key, skip) : gap(node.prev, from, at),
        node.right ? build(node.right, at, to, node.key, high, skip) : gap(node, at, to),
      );
    };
    return build(this.root, 0, sorted.length, (this.first as TreapNode<V>).key, (this.last as TreapNode<V>).key, 0);
  }

  /** The smallest key (a copy), or undefined when empty. O(1). */
  firstKey(): Uint8Array | undefined {
    return this.first?.key.slice();
  }

  /** The largest key (a copy), or undefined when empty. O(1). */
  lastKey(): Uint8Array | undefined {
    return this.last?.key.slice();
  }

  /** Entries in key order. */
  *entries(): IterableIterator<[Uint8Array, V]> {
    for (const node of this.walk(undefined)) yield [node.key.slice(), this.codec.copy(node.value)];
  }

  /** Keys in order. */
  *keys(): IterableIterator<Uint8Array> {
    for (const node of this.walk(undefined)) yield node.key.slice();
  }

  /**
   * Keys from `start` (included if present) upwards, in order: O(log n) to start plus O(1) amortised per key,
   * for paging through a queue. The map may change while iterating; the iterator then continues after the
   * last key it gave, in the changed map.
   */
  *keysFrom(start: LabelInput): IterableIterator<Uint8Array> {
    for (const node of this.walk(labelBytes(start))) yield node.key.slice();
  }

  /** Entries from `start` (included if present) upwards, in order; see {@link keysFrom}. */
  *entriesFrom(start: LabelInput): IterableIterator<[Uint8Array, V]> {
    for (const node of this.walk(labelBytes(start))) yield [node.key.slice(), this.codec.copy(node.value)];
  }

  /** Same as {@link entries}. */
  [Symbol.iterator](): IterableIterator<[Uint8Array, V]> {
    return this.entries();
  }

  // An entry as a tree: `labeled(key, <value's tree>)`, or with the value pruned when only the label is shown.
  private entryTree(node: TreapNode<V>, reveal: boolean): HashTree {
    return labeled(node.key.slice(), reveal ? this.codec.tree(node.value) : pruned(this.codec.hash(node.value, this.hasher)));
  }

  private find(key: Uint8Array): TreapNode<V> | null {
    let node = this.root;
    let low = 0;
    let high = 0;
    while (node !== null) {
      const order = compareBytesFrom(key, node.key, Math.min(low, high));
      if (order === 0) return node;
      if (order < 0) {
        high = -order - 1;
        node = node.left;
      } else {
        low = order - 1;
        node = node.right;
      }
    }
    return null;
  }

  // The nearest node strictly below or above `key`.
  private neighbour(key: Uint8Array, side: 'below' | 'above'): TreapNode<V> | null {
    let node = this.root;
    let best: TreapNode<V> | null = null;
    while (node !== null) {
      const order = compareBytes(key, node.key);
      if (side === 'below' ? order > 0 : order < 0) {
        best = node;
        node = side === 'below' ? node.right : node.left;
      } else {
        node = side === 'below' ? node.left : node.right;
      }
    }
    return best;
  }

  // The first node with key >= start (> start when exclusive), or null.
  private seek(start: Uint8Array | undefined, exclusive: boolean): TreapNode<V> | null {
    let best: TreapNode<V> | null = null;
    let node = this.root;
    while (node !== null) {
      const order = start === undefined ? -1 : compareBytes(start, node.key);
      if (order < 0 || (order === 0 && !exclusive)) {
        best = node;
        if (order === 0) break;
        node = node.left;
      } else {
        node = node.right;
      }
    }
    return best;
  }

  // Follows the key-order links: O(1) per step. After a change (which may have removed the current node),
  // it re-seeks past the last key given instead.
  private *walk(start: Uint8Array | undefined): Generator<TreapNode<V>> {
    let node = this.seek(start, false);
    let version = this.version;
    while (node !== null) {
      yield node;
      if (this.version === version) {
        node = node.next;
      } else {
        node = this.seek(node.key, true);
        version = this.version;
      }
    }
  }
}

function checkedKey(key: LabelInput): Uint8Array {
  const bytes = labelBytes(key);
  if (!(bytes instanceof Uint8Array)) {
    throw new ProtocolError(ErrorCode.OutOfRange, 'certified map keys must be strings or Uint8Arrays');
  }
  if (bytes.length > CERTIFIED_MAP_MAX_KEY_BYTES) {
    throw new ProtocolError(
      ErrorCode.FieldTooLarge,
      `certified map key of ${bytes.length} bytes, at most ${CERTIFIED_MAP_MAX_KEY_BYTES} allowed`,
    );
  }
  return bytes;
}

// First index in sorted[from..to) whose key is >= key; all share `skip` leading bytes with it.
function lowerBound(sorted: readonly { key: Uint8Array }[], from: number, to: number, key: Uint8Array, skip: number): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareBytesFrom((sorted[mid] as { key: Uint8Array }).key, key, skip) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// Length of the common prefix of `a` and `b`, whose first `skip` bytes are known to be equal.
function commonPrefix(a: Uint8Array, b: Uint8Array, skip: number): number {
  const n = Math.min(a.length, b.length);
  let i = skip;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

/** A key a witness must show: with its value (`reveal`), or only its label, to bound an absent key. */
interface Target {
  key: Uint8Array;
  reveal: boolean;
}

// Sorts targets by key and merges duplicates; a key asked for and also bounding another keeps its value.
function mergeTargets(targets: Target[]): Target[] {
  targets.sort((a, b) => compareBytes(a.key, b.key));
  const merged: Target[] = [];
  for (const target of targets) {
    const last = merged[merged.length - 1];
    if (last !== undefined && bytesEqual(last.key, target.key)) last.reveal ||= target.reveal;
    else merged.push({ ...target });
  }
  return merged;
}
