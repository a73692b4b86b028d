/**
 * Where the canister's queued messages sit in its certified data (docs/protocol.md section 3): one certified
 * map, key -> sha256 of the message bytes, under a single label. The canister computes its certified data and
 * its batch witnesses here, and every verifier looks messages up under the same label.
 */
import { sha256 } from '@noble/hashes/sha256';
import { labeledRootHash, type CertifiedMap } from '../hash-tree/certified-map';
import { HASH_LENGTH, labeled, type Sha256Into } from '../hash-tree/hash-tree';
import { encodeHashTree } from '../hash-tree/hash-tree-cbor';
import type { LabelInput } from '../hash-tree/label-bytes';

/** The label of the certified subtree that holds the queued messages. */
export const CERTIFIED_LABEL = 'websocket';

/**
 * The leaf value certified for a message: sha256 of its exact WebsocketMessage bytes (computed with `sha256Into`
 * when given: the same function, for runtimes where another implementation is faster).
 */
export function certifiedMessageHash(content: Uint8Array, sha256Into?: Sha256Into): Uint8Array {
  return sha256Into === undefined ? sha256(content) : sha256Into(new Uint8Array(HASH_LENGTH), [content]);
}

/** The canister's certified data for the queued messages in `map`. O(1). */
export function certifiedMessagesRootHash(map: CertifiedMap): Uint8Array {
  return labeledRootHash(CERTIFIED_LABEL, map);
}

/**
 * The `tree` of a `ws_get_messages` batch: the CBOR (with tag 55799) of the certified messages pruned down to
 * exactly `keys`. Its root hash is {@link certifiedMessagesRootHash} of the same map.
 */
export function encodeMessagesWitness(map: CertifiedMap, keys: readonly LabelInput[]): Uint8Array {
  return encodeHashTree(labeled(CERTIFIED_LABEL, map.witness(keys)), { selfDescribe: true });
}

/**
 * {@link encodeMessagesWitness} of every key from `firstKey` to `lastKey` (a run of consecutive keys of the
 * map, such as one gateway's batch), built in O(k + log n) without looking each key up.
 */
export function encodeMessagesRangeWitness(map: CertifiedMap, firstKey: LabelInput, lastKey: LabelInput): Uint8Array {
  return encodeHashTree(labeled(CERTIFIED_LABEL, map.witnessRange(firstKey, lastKey)), { selfDescribe: true });
}
