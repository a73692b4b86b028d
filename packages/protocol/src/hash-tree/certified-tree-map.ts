/**
 * The certified tree map: sorted labels -> whole hash-tree subtrees, with the root hash of the labelled forest
 * kept up to date in O(log n) (expected) per change. The devnet keeps `request_status` here: thousands of
 * `<request id> -> {status, reply | reject_*}` entries, one changed per call.
 */
import { reconstruct, type HashTree } from './hash-tree';
import { LabeledTreapMap, type EntryValueCodec } from './treap-map';

// Hash trees are immutable tuples: kept and handed out as they are. Each entry's subtree hash is computed
// once, on `set`, and again only for the few neighbours a witness prunes.
const SUBTREE_VALUES: EntryValueCodec<HashTree> = {
  hash: (tree) => reconstruct(tree),
  tree: (tree) => tree,
  copy: (tree) => tree,
};

/**
 * A map from labels (bytes; text is UTF-8) to hash trees, ordered bytewise. Its hash tree is a labelled
 * forest, `labeled(key, subtree)` for each entry, so `lookupPath(tree, [key, ...rest])` reads into the
 * subtrees. Changing one entry rehashes O(log n) nodes, however many entries the map holds; `witness`
 * reveals the subtrees of the keys asked for (prove absent the others) and prunes the rest.
 *
 * @example
 * ```ts
 * const statuses = new CertifiedTreeMap();
 * statuses.set(requestId, labeledForest([['status', leaf(utf8ToBytes('replied'))], ['reply', leaf(reply)]]));
 * const root = labeled('request_status', statuses.witness([requestId])); // same hash as the whole map
 * ```
 */
export class CertifiedTreeMap extends LabeledTreapMap<HashTree> {
  constructor() {
    super(SUBTREE_VALUES);
  }
}
