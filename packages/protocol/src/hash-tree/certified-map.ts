/**
 * The certified map: sorted keys -> 32-byte values, with its IC hash-tree root hash kept up to date in
 * O(log n) (expected) per change. The canister library stores its outgoing message queue here (value =
 * sha256(message)), sets the canister's certified data from it and hands out witnesses.
 */
import { ErrorCode, ProtocolError } from '../errors';
import { HASH_LENGTH, leaf, NodeHasher, type Sha256Into } from './hash-tree';
import type { LabelInput } from './label-bytes';
import { LabeledTreapMap, type EntryValueCodec } from './treap-map';

export { CERTIFIED_MAP_MAX_KEY_BYTES } from './treap-map';

// Values are 32-byte hashes under `leaf`; they are copied in and out.
const LEAF_VALUES: EntryValueCodec<Uint8Array> = {
  hash: (value, hasher) => hasher.leaf(value),
  tree: (value) => leaf(value.slice()),
  copy: (value) => {
    if (!(value instanceof Uint8Array) || value.length !== HASH_LENGTH) {
      const got = value instanceof Uint8Array ? `${value.length} bytes` : typeof value;
      throw new ProtocolError(ErrorCode.OutOfRange, `certified map values must be ${HASH_LENGTH} bytes, got ${got}`);
    }
    return value.slice();
  },
};

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
export class CertifiedMap extends LabeledTreapMap<Uint8Array> {
  /**
   * @param options.sha256 the SHA-256 its node hashes use (the same function, whatever its speed). @default
   *   @noble/hashes
   * @param options.priority the treap priority of a key: the tree's shape, and so how many node hashes a change
   *   costs (a number, higher nearer the root; ties go to the smaller key). A function of the key alone. Any
   *   shape gives valid witnesses. @default `hashedKeyPriority` (a hash of the key: expected depth O(log n))
   */
  constructor(options: { sha256?: Sha256Into; priority?: (key: Uint8Array) => number } = {}) {
    super(LEAF_VALUES, options.sha256 === undefined ? undefined : new NodeHasher(options.sha256), options.priority);
  }

  /**
   * Inserts or replaces `key`'s value. Throws `OUT_OF_RANGE` unless `value` is 32 bytes and
   * `FIELD_TOO_LARGE` for a key longer than {@link CERTIFIED_MAP_MAX_KEY_BYTES}. O(log n) expected.
   */
  override set(key: LabelInput, value: Uint8Array): this {
    return super.set(key, value);
  }
}

/**
 * The hash of `labeled(label, map.tree())` without building the tree: the certified data of a canister that
 * keeps `map` under `label` (ic-ws uses `websocket`). O(1) beyond the map's cached root hash.
 */
export function labeledRootHash(label: LabelInput, map: Pick<LabeledTreapMap<unknown>, 'rootHash' | 'hasher'>): Uint8Array {
  return map.hasher.labeled(label, map.rootHash());
}

