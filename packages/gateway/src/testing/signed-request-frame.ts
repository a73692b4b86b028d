import { IC_REQUEST_DOMAIN_SEPARATOR, requestIdOf, type SignIdentity } from '@dfinity/agent';
import type { Principal } from '@dfinity/principal';
import { encodeClientRequestFrame, type CallRequestContent } from 'ic-ws-protocol';

/** A call for {@link signedRequestFrame}. */
export interface CallToSign {
  canisterId: Principal;
  methodName: string;
  arg: Uint8Array;
  /** Breaks the signature after signing, for negative tests. */
  corruptSignature?: boolean;
}

/**
 * A client request frame around a really signed call envelope (what a client sends), so integration tests
 * can drive the gateway against an IC that checks signatures.
 */
export async function signedRequestFrame(identity: SignIdentity, call: CallToSign): Promise<Uint8Array> {
  const content: CallRequestContent = {
    request_type: 'call',
    canister_id: call.canisterId,
    method_name: call.methodName,
    arg: call.arg,
    sender: identity.getPrincipal(),
    // The IC accepts up to 5 minutes ahead; 4 keeps clear of clock skew.
    ingress_expiry: BigInt(Date.now() + 4 * 60_000) * 1_000_000n,
    nonce: globalThis.crypto.getRandomValues(new Uint8Array(16)),
  };
  const requestId = requestIdOf({ ...content });
  const signed = new Uint8Array(IC_REQUEST_DOMAIN_SEPARATOR.length + requestId.length);
  signed.set(IC_REQUEST_DOMAIN_SEPARATOR, 0);
  signed.set(requestId, IC_REQUEST_DOMAIN_SEPARATOR.length);
  const signature = new Uint8Array(await identity.sign(signed));
  if (call.corruptSignature) signature[0]! ^= 0xff;
  return encodeClientRequestFrame({
    envelope: { content, sender_pubkey: new Uint8Array(identity.getPublicKey().toDer()), sender_sig: signature },
  });
}
