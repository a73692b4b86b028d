import type { SignIdentity } from '@dfinity/agent';
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
import type { IcHttpPost } from './ic-http';
import { queryIngressExpiry, signQuery, type SignedQuery } from './query-envelope';
import { readQueryResponse } from './query-response';
import { QuerySignatureVerifier, type QuerySignatureVerifierOptions } from './query-signature-verifier';
import { isTransientStatus } from './transient-error';

/** Runs `ws_get_messages({ nonce })` on a canister and returns its decoded result. */
export type GetMessagesQuery = (canisterId: Principal, nonce: bigint) => Promise<CanisterWsGetMessagesResult>;

/** Collaborators of {@link createGetMessagesQuery}. */
export interface GetMessagesQueryOptions {
  /** Posts to the IC's HTTP interface (keep-alive `http` by default, see `createIcHttpPost`). */
  post: IcHttpPost;
  /** The gateway's identity: it signs the query. */
  identity: SignIdentity;
  /**
   * Post to `/api/<apiVersion>/canister/<id>/query`. The answer has the same shape on both; the subnet
   * delegation in the canister's `data_certificate` carries flat canister ranges on 2, tree ranges on 3.
   * @default 2
   */
  apiVersion?: 2 | 3;
  /** The DER Ed25519 keys of a canister's subnet nodes (agent-js's `fetchSubnetKeys`: a certified `read_state`). */
  fetchNodeKeys: QuerySignatureVerifierOptions['fetchNodeKeys'];
}

/** The last envelope signed for one canister, reused while its nonce and ingress expiry are the same. */
interface LastQuery {
  nonce: bigint;
  expiry: bigint;
  signed: SignedQuery;
}

/**
 * `ws_get_messages` as the poller needs it, without agent-js's generic request pipeline on this path (an
 * idle gateway is mostly polls): the query is signed as agent-js signs it and posted with `post`, the
 * answer read with the protocol's strict CBOR decoder, its node signatures checked with Node's Ed25519 by a
 * {@link QuerySignatureVerifier} (every check agent-js makes with `verifyQuerySignatures`: signed by a node
 * of the canister's subnet, over this request's answer, recent; node keys fetched, cached, refreshed), and
 * the reply read by the protocol's dedicated decoder.
 *
 * A canister polled with the same nonce (an idle one) gets the same envelope until its ingress expiry, which
 * agent-js rounds to the minute, moves on: a query is not deduplicated by the IC, and the identical request
 * is what agent-js itself sends for identical queries within a minute. So an idle canister costs one
 * signature a minute, not one per poll.
 *
 * The returned function rejects with a `GatewayError` `POLL_FAILED`: transient when no answer came or the
 * HTTP status says try again (5xx, 429, 408) or the canister could not answer now (reject code 2); final when
 * the answer is badly signed, malformed, another rejection, or not a valid reply.
 */
export function createGetMessagesQuery(options: GetMessagesQueryOptions): GetMessagesQuery {
  const verifier = new QuerySignatureVerifier({ fetchNodeKeys: options.fetchNodeKeys });
  const apiVersion = options.apiVersion ?? 2;
  const last = new Map<string, LastQuery>();
  const signed = async (canisterId: Principal, canisterText: string, nonce: bigint): Promise<SignedQuery> => {
    const expiry = queryIngressExpiry();
    const previous = last.get(canisterText);
    if (previous !== undefined && previous.nonce === nonce && previous.expiry === expiry.toBigInt()) return previous.signed;
    // A new minute: envelopes of canisters no longer polled are dropped with their expiry.
    if (previous !== undefined && previous.expiry !== expiry.toBigInt()) {
      for (const [canister, entry] of last) if (entry.expiry < expiry.toBigInt()) last.delete(canister);
    }
    const arg = new Uint8Array(IDL.encode([CanisterWsGetMessagesArgumentsIdl], [{ nonce }]));
    const query = await signQuery(options.identity, { canisterId, methodName: 'ws_get_messages', arg }, expiry);
    last.set(canisterText, { nonce, expiry: expiry.toBigInt(), signed: query });
    return query;
  };
  return async (canisterId, nonce) => {
    const canisterText = canisterId.toText();
    const { envelope, requestId } = await signed(canisterId, canisterText, nonce);
    let answer;
    try {
      answer = await options.post(`/api/v${apiVersion}/canister/${canisterText}/query`, envelope);
    } catch (error) {
      if (!(error instanceof GatewayError)) throw error;
      throw new GatewayError(ErrorCode.PollFailed, `ws_get_messages failed: ${error.message}`, { cause: error, transient: error.transient });
    }
    if (answer.status !== 200) {
      const text = new TextDecoder().decode(answer.body.subarray(0, 200));
      throw new GatewayError(ErrorCode.PollFailed, `ws_get_messages failed: the IC answered HTTP ${answer.status}: ${text}`, {
        transient: isTransientStatus(answer.status),
      });
    }
    const response = readQueryResponse(answer.body, requestId);
    await verifier.verify(canisterId, response.answer, response.signatures);
    if (response.answer.status !== 'replied') {
      const { rejectCode, rejectMessage, errorCode } = response.answer;
      // Reject code 2 (SYS_TRANSIENT): the canister cannot answer now (busy, out of cycles for a moment).
      throw new GatewayError(ErrorCode.PollFailed, `ws_get_messages was rejected: ${rejectMessage.slice(0, 200)} (${errorCode ?? `reject code ${rejectCode}`})`, {
        transient: rejectCode === 2,
      });
    }
    return decodeGetMessagesReply(response.answer.arg);
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
