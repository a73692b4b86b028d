import { Endpoint, Expiry, SubmitRequestType, type CallRequest, type SignIdentity } from '@dfinity/agent';
import type { Principal } from '@dfinity/principal';
import { ErrorCode, type SignedCallEnvelope, type SignedDelegation } from 'ic-ws-protocol';
import { IcWsClientError } from '../client-error';

/** What one signed call needs besides the identity. */
export interface CallToSign {
  canisterId: Principal;
  methodName: string;
  /** Candid-encoded arguments. */
  arg: Uint8Array;
  /** Milliseconds to add to the local clock to get the IC's (from an agent that synced time). */
  clockOffsetMs?: number;
}

/** The IC accepts an `ingress_expiry` up to 5 minutes ahead; agent-js uses the same, rounded to the minute. */
const INGRESS_EXPIRY_DELTA_MS = 5 * 60_000;
const NONCE_BYTES = 16;

/** The part of the identity's `transformRequest` answer we read: agent-js's signed envelope. */
interface TransformedBody {
  sender_pubkey?: ArrayBuffer | Uint8Array;
  sender_sig?: ArrayBuffer | Uint8Array;
  sender_delegation?: readonly {
    delegation: { pubkey: ArrayBuffer | Uint8Array; expiration: bigint; targets?: Principal[] };
    signature: ArrayBuffer | Uint8Array;
  }[];
}

/**
 * Builds and signs an update-call envelope exactly as agent-js posts it to `/api/v{2,3}/canister/<id>/call`:
 * the identity's own `transformRequest` computes the request id and signs it (and adds the delegation chain
 * of a `DelegationIdentity`), so every identity agent-js supports works here, hardware keys included.
 *
 * @throws IcWsClientError `SIGNING_FAILED` when the identity cannot sign.
 */
export async function signCallEnvelope(identity: SignIdentity, call: CallToSign): Promise<SignedCallEnvelope> {
  const sender = identity.getPrincipal();
  const ingressExpiry = Expiry.fromDeltaInMilliseconds(INGRESS_EXPIRY_DELTA_MS, call.clockOffsetMs ?? 0);
  // A random nonce makes two otherwise identical calls distinct requests (the IC deduplicates by request id).
  const nonce = globalThis.crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
  const body: CallRequest = {
    request_type: SubmitRequestType.Call,
    canister_id: call.canisterId,
    method_name: call.methodName,
    arg: call.arg,
    sender,
    ingress_expiry: ingressExpiry,
    nonce: nonce as CallRequest['nonce'],
  };
  let signed: { body: TransformedBody };
  try {
    signed = (await identity.transformRequest({ endpoint: Endpoint.Call, request: {}, body })) as { body: TransformedBody };
  } catch (error) {
    throw IcWsClientError.from(error, ErrorCode.SigningFailed, `the identity could not sign ${call.methodName}`);
  }
  const { sender_pubkey, sender_sig, sender_delegation } = signed.body;
  if (sender_pubkey === undefined || sender_sig === undefined) {
    throw new IcWsClientError(ErrorCode.SigningFailed, 'the identity produced an unsigned envelope');
  }
  return {
    content: {
      request_type: 'call',
      canister_id: call.canisterId,
      method_name: call.methodName,
      arg: call.arg,
      sender,
      ingress_expiry: ingressExpiry.toBigInt(),
      nonce,
    },
    sender_pubkey: toBytes(sender_pubkey),
    sender_sig: toBytes(sender_sig),
    ...(sender_delegation === undefined ? {} : { sender_delegation: sender_delegation.map(toSignedDelegation) }),
  };
}

function toSignedDelegation(link: NonNullable<TransformedBody['sender_delegation']>[number]): SignedDelegation {
  const { pubkey, expiration, targets } = link.delegation;
  return {
    delegation: { pubkey: toBytes(pubkey), expiration, ...(targets === undefined ? {} : { targets }) },
    signature: toBytes(link.signature),
  };
}

// A plain copy: agent-js brands some arrays with extra properties, which have no place on the wire.
function toBytes(value: ArrayBuffer | Uint8Array): Uint8Array {
  return new Uint8Array(value);
}
