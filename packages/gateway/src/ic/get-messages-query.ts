import { QueryResponseStatus, type HttpAgent } from '@dfinity/agent';
import { IDL } from '@dfinity/candid';
import type { Principal } from '@dfinity/principal';
import {
  CanisterWsGetMessagesArgumentsIdl,
  ErrorCode,
  ProtocolError,
  decodeWsGetMessagesResult,
  type CanisterWsGetMessagesResult,
} from 'ic-ws-protocol';
import { GatewayError } from '../gateway-error';
import type { QueryAnswer } from './query-response-hash';
import { QuerySignatureVerifier } from './query-signature-verifier';

/** Runs `ws_get_messages({ nonce })` on a canister and returns its decoded result. */
export type GetMessagesQuery = (canisterId: Principal, nonce: bigint) => Promise<CanisterWsGetMessagesResult>;

/**
 * `ws_get_messages` as the poller needs it, without agent-js's generic layers on the hot path: the query is
 * sent by `agent` (signed with the gateway's identity; give it `verifyQuerySignatures: false`), its node
 * signatures checked with Node's Ed25519 by a {@link QuerySignatureVerifier} over the subnet keys the agent
 * fetches, and the reply read by the protocol's dedicated decoder instead of the generic IDL decoder.
 *
 * The returned function rejects with the agent's own error when the query could not be made (network, HTTP
 * status), and with a `GatewayError` `POLL_FAILED` when the answer is badly signed, a rejection, or not a
 * valid reply.
 */
export function createGetMessagesQuery(agent: HttpAgent): GetMessagesQuery {
  const verifier = new QuerySignatureVerifier({
    fetchNodeKeys: async (canisterId) => {
      const status = await agent.fetchSubnetKeys(canisterId.toText());
      if (status === undefined) throw new Error(`the IC's read_state answer for ${canisterId.toText()} names no subnet`);
      return status.nodeKeys;
    },
  });
  return async (canisterId, nonce) => {
    const arg = IDL.encode([CanisterWsGetMessagesArgumentsIdl], [{ nonce }]);
    const response = await agent.query(canisterId, { methodName: 'ws_get_messages', arg });
    const answer: QueryAnswer =
      response.status === QueryResponseStatus.Replied
        ? { status: 'replied', arg: response.reply.arg, requestId: response.requestId }
        : {
            status: 'rejected',
            rejectCode: response.reject_code,
            rejectMessage: response.reject_message,
            errorCode: response.error_code,
            requestId: response.requestId,
          };
    await verifier.verify(canisterId, answer, response.signatures);
    if (response.status !== QueryResponseStatus.Replied) {
      // Reject code 2 (SYS_TRANSIENT): the canister cannot answer now (busy, out of cycles for a moment).
      throw new GatewayError(ErrorCode.PollFailed, `ws_get_messages was rejected: ${response.reject_message.slice(0, 200)} (${response.error_code})`, {
        transient: Number(response.reject_code) === 2,
      });
    }
    return decodeGetMessagesReply(response.reply.arg);
  };
}

/**
 * Reads a `ws_get_messages` reply's Candid bytes with the protocol's dedicated decoder.
 * @throws GatewayError `POLL_FAILED` when they are not a valid reply.
 */
export function decodeGetMessagesReply(arg: Uint8Array): CanisterWsGetMessagesResult {
  try {
    return decodeWsGetMessagesResult(arg);
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    throw new GatewayError(ErrorCode.PollFailed, `ws_get_messages replied with a malformed batch: ${error.message}`, { cause: error });
  }
}
