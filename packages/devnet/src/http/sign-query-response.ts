import { concatBytes } from '@noble/hashes/utils';
import type { CborEncodable, CborValue } from 'ic-ws-protocol';
import { IC_RESPONSE_DOMAIN } from '../crypto/domain-separator';
import type { NodeKey } from '../crypto/node-key';
import { representationIndependentHash } from '../crypto/request-id';
import type { CallOutcome } from '../execution/types';

/**
 * The body of a query answer, signed by `node` as agents with `verifyQuerySignatures` require:
 * Ed25519 over `"\x0Bic-response" || hash({status, reply | reject_code, reject_message, error_code,
 * timestamp, request_id})`, where `reply` is the map `{arg}`.
 */
export function signedQueryResponse(
  outcome: CallOutcome,
  requestId: Uint8Array,
  timestamp: bigint,
  node: NodeKey,
): { readonly [key: string]: CborEncodable } {
  const response: Map<string, CborValue> =
    outcome.status === 'replied'
      ? new Map<string, CborValue>([
          ['status', 'replied'],
          ['reply', new Map([['arg', outcome.reply]])],
        ])
      : new Map<string, CborValue>([
          ['status', 'rejected'],
          ['reject_code', outcome.rejectCode],
          ['reject_message', outcome.rejectMessage],
          ['error_code', outcome.errorCode],
        ]);
  const signed = new Map<CborValue, CborValue>([...response, ['timestamp', timestamp], ['request_id', requestId]]);
  const hash = representationIndependentHash(signed) as Uint8Array; // text, blobs and naturals always hash
  const signature = node.sign(concatBytes(IC_RESPONSE_DOMAIN, hash));
  return {
    ...Object.fromEntries(response as Map<string, CborEncodable>),
    signatures: [{ timestamp, signature, identity: node.nodeId.toUint8Array() }],
  };
}
