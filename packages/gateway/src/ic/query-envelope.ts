import { Cbor, Endpoint, Expiry, ReadRequestType, requestIdOf, type HttpAgentQueryRequest, type QueryRequest, type SignIdentity } from '@dfinity/agent';
import type { Principal } from '@dfinity/principal';

/** A signed query envelope, ready to post to `/api/v2/canister/<id>/query`. */
export interface SignedQuery {
  /** The envelope's CBOR bytes. */
  envelope: Uint8Array;
  /** The request id: the nodes sign their answer over it. */
  requestId: Uint8Array;
}

/** A query call to sign. */
export interface QueryToSign {
  canisterId: Principal;
  methodName: string;
  /** Candid-encoded arguments. */
  arg: Uint8Array;
}

/** The IC accepts an `ingress_expiry` up to 5 minutes ahead; agent-js uses the same, rounded to the minute. */
const INGRESS_EXPIRY_DELTA_MS = 5 * 60_000;

/** The ingress expiry agent-js gives a request made now: 5 minutes ahead, rounded down to the minute. */
export function queryIngressExpiry(): Expiry {
  return Expiry.fromDeltaInMilliseconds(INGRESS_EXPIRY_DELTA_MS);
}

/**
 * Builds and signs a query envelope as agent-js's `HttpAgent.query` does (the same content, the identity's
 * own `transformRequest`, so every identity agent-js supports works, the same CBOR), without the agent's
 * generic request pipeline.
 */
export async function signQuery(identity: SignIdentity, query: QueryToSign, ingressExpiry: Expiry): Promise<SignedQuery> {
  const content: QueryRequest = {
    request_type: ReadRequestType.Query,
    canister_id: query.canisterId,
    method_name: query.methodName,
    arg: query.arg,
    sender: identity.getPrincipal(),
    ingress_expiry: ingressExpiry,
  };
  // agent-js's HttpAgentQueryRequest, and the identity's answer: the same request with the signed envelope as body.
  const request: HttpAgentQueryRequest = { request: { method: 'POST', headers: {} }, endpoint: Endpoint.Query, body: content };
  const signed = (await identity.transformRequest(request)) as { body: unknown };
  return { envelope: Cbor.encode(signed.body), requestId: requestIdOf(content) };
}
