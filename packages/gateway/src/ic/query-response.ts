import { ErrorCode, ProtocolError, cborDecode, expectArray, expectBytes, expectMap, expectText, expectU64, type CborValue } from 'ic-ws-protocol';
import { GatewayError } from '../gateway-error';
import type { QueryAnswer } from './query-response-hash';
import type { NodeSignature } from './query-signature-verifier';

/** A query answer as the IC's `/query` endpoint sends it: the signed fields and the node signatures. */
export interface QueryResponse {
  answer: QueryAnswer;
  /** Absent when the answer carries none (the signature check then refuses it). */
  signatures: NodeSignature[] | undefined;
}

/**
 * Reads the CBOR body of a `200` answer of `/api/v2/canister/<id>/query` (IC interface spec, "Query call")
 * with the protocol's strict decoder; `requestId` is the id of the query it answers. Fields the spec may add
 * later are ignored, as agent-js does.
 * @throws GatewayError `POLL_FAILED` when it is not a well-formed answer.
 */
export function readQueryResponse(body: Uint8Array, requestId: Uint8Array): QueryResponse {
  try {
    const map = expectMap(cborDecode(body), 'query answer');
    const status = expectText(map.get('status'), 'query answer.status', 32);
    const signatures = map.has('signatures') ? expectArray(map.get('signatures'), 'query answer.signatures').map(readSignature) : undefined;
    if (status === 'replied') {
      const arg = expectBytes(expectMap(map.get('reply'), 'query answer.reply').get('arg'), 'query answer.reply.arg');
      return { answer: { status, arg, requestId }, signatures };
    }
    if (status === 'rejected') {
      const errorCode = map.get('error_code');
      const answer: QueryAnswer = {
        status,
        rejectCode: Number(expectU64(map.get('reject_code'), 'query answer.reject_code')),
        rejectMessage: expectText(map.get('reject_message'), 'query answer.reject_message'),
        requestId,
        ...(errorCode === undefined ? {} : { errorCode: expectText(errorCode, 'query answer.error_code') }),
      };
      return { answer, signatures };
    }
    throw new ProtocolError(ErrorCode.CborInvalidShape, `query answer.status: unknown status "${status}"`);
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    throw new GatewayError(ErrorCode.PollFailed, `the IC's query answer is malformed: ${error.message}`, { cause: error });
  }
}

function readSignature(value: CborValue, i: number): NodeSignature {
  const map = expectMap(value, `query answer.signatures[${i}]`);
  return {
    timestamp: expectU64(map.get('timestamp'), `query answer.signatures[${i}].timestamp`),
    signature: expectBytes(map.get('signature'), `query answer.signatures[${i}].signature`),
    identity: expectBytes(map.get('identity'), `query answer.signatures[${i}].identity`),
  };
}
