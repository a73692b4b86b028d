/**
 * Where the canister's queued messages sit in its certified data (docs/protocol.md section 3): one certified
 * map, key -> sha256 of the message bytes, under a single label. The canister computes its certified data and
 * its batch witnesses here, and every verifier looks messages up under the same label.
 */
import { sha256 } from '@noble/hashes/sha256';
import { labeledRootHash, type CertifiedMap } from '../hash-tree/certified-map';
import { labeled } from '../hash-tree/hash-tree';
import { encodeHashTree } from '../hash-tree/hash-tree-cbor';

/** The label of the certified subtree that holds the queued messages. */
export const CERTIFIED_LABEL = 'websocket';

/** The leaf value certified for a message: sha256 of its exact WebsocketMessage bytes. */
export function certifiedMessageHash(content: Uint8Array): Uint8Array {
  return sha256(content);
}

/** The canister's certified data for the queued messages in `map`. O(1). */
export function certifiedMessagesRootHash(map: CertifiedMap): Uint8Array {
  return labeledRootHash(CERTIFIED_LABEL, map);
}

/**
 * The `tree` of a `ws_get_messages` batch: the CBOR (with tag 55799) of the certified messages pruned down to
 * exactly `keys`. Its root hash is {@link certifiedMessagesRootHash} of the same map.
 */
export function encodeMessagesWitness(map: CertifiedMap, keys: readonly string[]): Uint8Array {
  return encodeHashTree(labeled(CERTIFIED_LABEL, map.witness(keys)), { selfDescribe: true });
}
