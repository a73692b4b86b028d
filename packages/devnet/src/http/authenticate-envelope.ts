import { Principal } from '@dfinity/principal';
import { bytesToHex, concatBytes } from '@noble/hashes/utils';
import { ErrorCode } from 'ic-ws-protocol';
import { IC_DELEGATION_DOMAIN, IC_REQUEST_DOMAIN } from '../crypto/domain-separator';
import { decodeSenderPublicKey, type SenderPublicKey } from '../crypto/public-key-der';
import { verifySenderSignature } from '../crypto/verify-sender-signature';
import type { Envelope } from './envelope';
import { RequestError } from './request-error';

/** The longest ingress expiry a replica accepts, counted from its own clock (5 minutes). */
export const MAX_INGRESS_TTL_NS = 300_000_000_000n;
/** Clock drift a replica tolerates on top of {@link MAX_INGRESS_TTL_NS} (60 s). */
export const PERMITTED_DRIFT_NS = 60_000_000_000n;

/** What authentication needs to know besides the envelope. */
export interface AuthenticationContext {
  /** Current time, ns since the epoch. */
  readonly now: bigint;
  /** The canister the request addresses, checked against delegation targets; absent for subnet reads. */
  readonly targetCanister: Principal | undefined;
}

/**
 * Checks an envelope the way a replica validates ingress: `ingress_expiry` within
 * `[now, now + 5 min + drift]`; an anonymous sender carries no key or signature; otherwise `sender` is
 * the self-authenticating principal of `sender_pubkey`, each delegation is signed by the key before it,
 * unexpired, free of repeated keys and (when it has targets) targets the addressed canister, and the last
 * key signed `"\x0Aic-request" || request_id`. Throws a `RequestError` naming the first failure: 400 for
 * everything except delegation targets, which a replica answers with 403.
 */
export function authenticateEnvelope(envelope: Envelope, context: AuthenticationContext): void {
  checkIngressExpiry(envelope.ingressExpiry, context.now);
  const id = `0x${bytesToHex(envelope.requestId)}`;
  const { senderPubkey, senderSig, senderDelegation } = envelope;

  if (envelope.sender.isAnonymous()) {
    if (senderPubkey !== undefined || senderSig !== undefined || senderDelegation !== undefined) {
      throw unauthenticated(id, 'an anonymous request must not carry sender_pubkey, sender_sig or sender_delegation');
    }
    return;
  }
  if (senderPubkey === undefined || senderSig === undefined) {
    throw unauthenticated(id, `missing sender_pubkey or sender_sig for non-anonymous sender ${envelope.sender.toText()}`);
  }
  const owner = Principal.selfAuthenticating(senderPubkey);
  if (owner.compareTo(envelope.sender) !== 'eq') {
    throw new RequestError(
      ErrorCode.RequestSenderMismatch,
      400,
      `Failed to authenticate request ${id} due to: The user id ${envelope.sender.toText()} does not match the public key ${owner.toText()}`,
    );
  }

  let signingKey = parseKey(senderPubkey, id, 'sender_pubkey');
  const seenKeys = new Set([bytesToHex(senderPubkey)]);
  for (const [index, { delegation, hash, signature }] of (senderDelegation ?? []).entries()) {
    if (!verifySenderSignature(signingKey, concatBytes(IC_DELEGATION_DOMAIN, hash), signature)) {
      throw invalidDelegation(id, `delegation ${index} has an invalid signature`);
    }
    if (delegation.expiration < context.now) {
      throw invalidDelegation(id, `delegation ${index} expired at ${delegation.expiration} ns, now is ${context.now} ns`);
    }
    const keyHex = bytesToHex(delegation.pubkey);
    if (seenKeys.has(keyHex)) throw invalidDelegation(id, `delegation ${index} repeats a public key of the chain`);
    seenKeys.add(keyHex);
    if (delegation.targets !== undefined && context.targetCanister !== undefined) {
      const target = context.targetCanister;
      if (!delegation.targets.some((allowed) => allowed.compareTo(target) === 'eq')) {
        throw new RequestError(
          ErrorCode.DelegationInvalid,
          403,
          `Failed to authenticate request ${id} due to: Canister ${target.toText()} is not one of the delegation targets`,
        );
      }
    }
    signingKey = parseKey(delegation.pubkey, id, `sender_delegation[${index}].delegation.pubkey`);
  }

  if (!verifySenderSignature(signingKey, concatBytes(IC_REQUEST_DOMAIN, envelope.requestId), senderSig)) {
    throw unauthenticated(id, `Invalid signature: ${signingKey.scheme} signature over the request id does not verify`);
  }
}

/** The replica's message prefix here is what makes @dfinity/agent resync its clock and retry once. */
function checkIngressExpiry(expiry: bigint, now: bigint): void {
  const max = now + MAX_INGRESS_TTL_NS + PERMITTED_DRIFT_NS;
  if (expiry < now || expiry > max) {
    throw new RequestError(
      ErrorCode.RequestExpiryInvalid,
      400,
      `Invalid request expiry: Specified ingress_expiry not within expected range: Minimum allowed expiry: ${now}, Maximum allowed expiry: ${max}, Provided expiry: ${expiry}`,
    );
  }
}

function parseKey(der: Uint8Array, id: string, what: string): SenderPublicKey {
  const key = decodeSenderPublicKey(der);
  if (!key) throw unauthenticated(id, `${what} is not a supported DER public key (Ed25519, ECDSA P-256 or secp256k1)`);
  return key;
}

function unauthenticated(id: string, reason: string): RequestError {
  return new RequestError(ErrorCode.RequestSignatureInvalid, 400, `Failed to authenticate request ${id} due to: ${reason}`);
}

function invalidDelegation(id: string, reason: string): RequestError {
  return new RequestError(ErrorCode.DelegationInvalid, 400, `Failed to authenticate request ${id} due to: ${reason}`);
}
