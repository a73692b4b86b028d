/**
 * The certified map: sorted keys -> 32-byte values, with its IC hash-tree root hash kept up to date in
 * O(log n) (expected) per change. The canister library stores its outgoing message queue here (value =
 * sha256(message)), sets the canister's certified data from it and hands out witnesses.
 */
import { ErrorCode, ProtocolError } from '../errors';
import { insertNode, newNode, removeNode, settle, type TreapNode } from './treap-node';
import { emptyHash, empty, fork, HASH_LENGTH, labeled, labeledHash, leaf, leafHash, pruned, type HashTree } from './hash-tree';
import { HASH_TREE_DECODE_DEFAULTS } from './hash-tree-cbor';
import { bytesEqual, compareBytes, compareBytesFrom, labelBytes, type LabelInput } from './label-bytes';

/** Longest key the map accepts: the longest label {@link decodeHashTree} accepts by default. */
export const CERTIFIED_MAP_MAX_KEY_BYTES = HASH_TREE_DECODE_DEFAULTS.maxLabelBytes;

/**
 * A map from keys (bytes; text is UTF-8) to 32-byte values, ordered bytewise. Its hash tree is a fork tree
 * whose leaves, in key order, are the entries `labeled(key, leaf(value))` (like Rust's `ic-certified-map`,
 * though the fork shape differs), so `lookupPath(tree, [key])` finds each value. The root hash depends only on
 * the contents, never on the order of changes (the underlying treap's shape is a function of the key set).
 * Keys and values are copied on the way in and out, so callers cannot corrupt it.
 *
 * The ic-ws canister puts the map under the label `CERTIFIED_LABEL`: its certified data is
 * `certifiedMessagesRootHash(map)` and the witness of a batch is `encodeMessagesWitness(map, keys)`.
 *
 * @example
 * ```ts
 * const map = new CertifiedMap();
 * const key = formatOutgoingKey(gateway, 1n);
 * map.set(key, certifiedMessageHash(messageBytes));
 * setCertifiedData(certifiedMessagesRootHash(map));
 * const witness = encodeMessagesWitness(map, [key]);
 * ```
 */
export class CertifiedMap {
  private root: TreapNode | null = null;
  private count = 0;
  // The entries with the smallest and largest keys, kept up to date so no operation walks to them.
  private first: TreapNode | null = null;
  private last: TreapNode | null = null;
  // Bumped on every change so live iterators notice and re-seek instead of walking a rotated tree.
  private version = 0;

  /** Number of entries. */
  get size(): number {
    return this.count;
  }

  /**
   * Inserts or replaces `key`'s value. Throws `OUT_OF_RANGE` unless `value` is 32 bytes and
   * `FIELD_TOO_LARGE` for a key longer than {@link CERTIFIED_MAP_MAX_KEY_BYTES}. O(log n) expected.
   */
  set(key: LabelInput, value: Uint8Array): this {
    const keyBytes = checkedKey(key).slice();
    if (!(value instanceof Uint8Array) || value.length !== HASH_LENGTH) {
      const got = value instanceof Uint8Array ? `${value.length} bytes` : typeof value;
      throw new ProtocolError(ErrorCode.OutOfRange, `certified map values must be ${HASH_LENGTH} bytes, got ${got}`);
    }
    const copy = value.slice();
    const selfHash = labeledHash(keyBytes, leafHash(copy));
    const result = { replaced: false };
    const fresh = newNode(keyBytes, copy, selfHash);
    this.root = insertNode(this.root, fresh, result);
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

  /** The value at `key` (a copy), or undefined. O(log n). */
  get(key: LabelInput): Uint8Array | undefined {
    return this.find(labelBytes(key))?.value.slice();
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
    settle(this.root);
    return this.root === null ? emptyHash() : this.root.subtreeHash.slice();
  }

  /** The whole map as a hash tree, nothing pruned. O(n). */
  tree(): HashTree {
    const build = (node: TreapNode): HashTree =>
      fork(
        node.left ? build(node.left) : node.prev ? entryTree(node.prev, true) : empty(),
        node.right ? build(node.right) : entryTree(node, true),
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
    const sorted = mergeTargets(wanted);
    settle(this.root);
    // Left of node x lie the entries below x.key (in its left subtree, or the one entry before x); right of
    // it, x's own entry and those above. Targets are split the same way on the way down.
    // The Empty before the first entry is shown as a pruned node of the same hash unless the witness must
    // prove a key below the first entry absent. agent-js's lookup (@dfinity/agent 2.x and 3.x, hence
    // ic-websocket-js) stops at an Empty inside a fork and calls every later label absent, against the spec
    // (flatten_forks drops Empty); at a pruned node it reads on. The root hash is the same either way.
    const beforeFirst = (): HashTree => (provesBelowFirst ? empty() : pruned(emptyHash()));
    const gap = (entry: TreapNode | null, from: number, to: number): HashTree => {
      if (entry === null) return beforeFirst();
      const target = from < to ? sorted[from] : undefined;
      return target !== undefined && bytesEqual(target.key, entry.key) ? entryTree(entry, target.reveal) : pruned(entry.selfHash.slice());
    };
    // Targets are map keys, so every key met below a node lies between the keys bounding its subtree
    // (`low`..`high`, the whole map's range at the root) and shares their common prefix: `skip` bytes that
    // comparisons need not look at again (`known` is the parent's, a head start for computing it).
    const build = (node: TreapNode, from: number, to: number, low: Uint8Array, high: Uint8Array, known: number): HashTree => {
      if (from >= to) return pruned(node.subtreeHash.slice());
      const skip = commonPrefix(low, high, known);
      const at = lowerBound(sorted, from, to, node.key, skip);
      return fork(
        node.left ? build(node.left, from, at, low, node.key, skip) : gap(node.prev, from, at),
        node.right ? build(node.right, at, to, node.key, high, skip) : gap(node, at, to),
      );
    };
    return build(this.root, 0, sorted.length, (this.first as TreapNode).key, (this.last as TreapNode).key, 0);
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
  *entries(): IterableIterator<[Uint8Array, Uint8Array]> {
    for (const node of this.walk(undefined)) yield [node.key.slice(), node.value.slice()];
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
  *entriesFrom(start: LabelInput): IterableIterator<[Uint8Array, Uint8Array]> {
    for (const node of this.walk(labelBytes(start))) yield [node.key.slice(), node.value.slice()];
  }

  /** Same as {@link entries}. */
  [Symbol.iterator](): IterableIterator<[Uint8Array, Uint8Array]> {
    return this.entries();
  }

  private find(key: Uint8Array): TreapNode | null {
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
  private neighbour(key: Uint8Array, side: 'below' | 'above'): TreapNode | null {
    let node = this.root;
    let best: TreapNode | null = null;
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
  private seek(start: Uint8Array | undefined, exclusive: boolean): TreapNode | null {
    let best: TreapNode | null = null;
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
  private *walk(start: Uint8Array | undefined): Generator<TreapNode> {
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

/**
 * The hash of `labeled(label, map.tree())` without building the tree: the certified data of a canister that
 * keeps `map` under `label` (ic-ws uses `websocket`). O(1) beyond the map's cached root hash.
 */
export function labeledRootHash(label: LabelInput, map: CertifiedMap): Uint8Array {
  return labeledHash(label, map.rootHash());
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

// An entry as a tree: `labeled(key, leaf(value))`, or with the value pruned when only the label is shown.
function entryTree(node: TreapNode, reveal: boolean): HashTree {
  return labeled(node.key.slice(), reveal ? leaf(node.value.slice()) : pruned(leafHash(node.value)));
}

// First index in sorted[from..to) whose key is >= key.
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
