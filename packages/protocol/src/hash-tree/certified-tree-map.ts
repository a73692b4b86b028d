/**
 * The certified tree map: sorted labels -> whole hash-tree subtrees, with the root hash of the labelled forest
 * kept up to date in O(log n) (expected) per change. The devnet keeps `request_status` here: thousands of
 * `<request id> -> {status, reply | reject_*}` entries, one changed per call.
 */
import { reconstruct, type HashTree } from './hash-tree';
import { LabeledTreapMap, type EntryValueCodec } from './treap-map';

// Values are kept and handed out as they are (hash trees are immutable tuples; a compact value is the
// caller's). Each entry's subtree hash is computed once, on `set`, and again only for the few neighbours a
// witness prunes.
function subtreeValues<V>(toTree: (value: V) => HashTree): EntryValueCodec<V> {
  return {
    hash: (value) => reconstruct(toTree(value)),
    tree: toTree,
    copy: (value) => value,
  };
}

/**
 * A map from labels (bytes; text is UTF-8) to hash trees, ordered bytewise. Its hash tree is a labelled
 * forest, `labeled(key, subtree)` for each entry, so `lookupPath(tree, [key, ...rest])` reads into the
 * subtrees. Changing one entry rehashes O(log n) nodes, however many entries the map holds; `witness`
 * reveals the subtrees of the keys asked for (prove absent the others) and prunes the rest.
 *
 * Values are hash trees by default. A map holding many entries may instead keep a compact value of its own
 * (`V`) and pass `toTree`, which builds the entry's subtree when a hash or a witness needs it: on `set`, for
 * the entries a witness reveals or bounds, and for `tree()`. `toTree` must be a pure function of the value.
 *
 * @example
 * ```ts
 * const statuses = new CertifiedTreeMap();
 * statuses.set(requestId, labeledForest([['status', leaf(utf8ToBytes('replied'))], ['reply', leaf(reply)]]));
 * const root = labeled('request_status', statuses.witness([requestId])); // same hash as the whole map
 * ```
 */
export class CertifiedTreeMap<V = HashTree> extends LabeledTreapMap<V> {
  /**
   * @param toTree the subtree under a value's label, built when needed. @default the value itself (for
   *   values that are hash trees)
   */
  constructor(toTree: (value: V) => HashTree = (value) => value as HashTree) {
    super(subtreeValues(toTree));
  }
}
