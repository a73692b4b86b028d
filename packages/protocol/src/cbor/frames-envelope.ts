import type { Principal } from '@dfinity/principal';
import { ErrorCode, ProtocolError } from '../errors';
import type { CborValue } from './cbor-reader';
import { cborWrite, type CborWritable } from './cbor-writer';
import type { FrameLimits } from './frames-limits';
import {
  checkU64,
  expectArray,
  expectBytes,
  expectPrincipal,
  expectRecord,
  expectText,
  expectU64,
  principalBytes,
} from './shape';

/**
 * The signed IC update-call envelope a client sends through the gateway (IC interface spec, "call"
 * requests). The gateway only reads it (canister, sender, method) and posts it to the IC unchanged; the IC
 * checks the signature over the request id, a hash of `content`'s values.
 */
export interface SignedCallEnvelope {
  content: CallRequestContent;
  /** DER public key of the sender; absent for the anonymous principal. */
  sender_pubkey?: Uint8Array;
  /** Signature over the request id; absent for the anonymous principal. */
  sender_sig?: Uint8Array;
  /** Delegation chain from `sender_pubkey`'s identity to the key that signed. */
  sender_delegation?: SignedDelegation[];
}

/** The `content` of a call envelope. */
export interface CallRequestContent {
  request_type: 'call';
  canister_id: Principal;
  method_name: string;
  /** Candid-encoded arguments. */
  arg: Uint8Array;
  sender: Principal;
  /** Nanoseconds since the epoch after which the IC refuses the call. */
  ingress_expiry: bigint;
  nonce?: Uint8Array;
}

/** One link of a delegation chain. */
export interface SignedDelegation {
  delegation: {
    pubkey: Uint8Array;
    expiration: bigint;
    targets?: Principal[];
  };
  signature: Uint8Array;
}

/**
 * Encodes an envelope as the IC's call endpoint takes it (tag 55799, CBOR map). Values are preserved
 * exactly, so the request id, and with it the signature, stays valid.
 */
export function encodeSignedCallEnvelope(envelope: SignedCallEnvelope): Uint8Array {
  return cborWrite(signedCallEnvelopeToCbor(envelope), true);
}

/** The CBOR value of an envelope, in the field order agent-js writes. */
export function signedCallEnvelopeToCbor(envelope: SignedCallEnvelope): CborWritable {
  const c = envelope.content;
  const content: Record<string, CborWritable> = {
    request_type: c.request_type,
    canister_id: principalBytes(c.canister_id, 'content.canister_id'),
    method_name: c.method_name,
    arg: c.arg,
    sender: principalBytes(c.sender, 'content.sender'),
    ingress_expiry: checkU64(c.ingress_expiry, 'content.ingress_expiry'),
  };
  if (c.nonce !== undefined) content.nonce = c.nonce;
  const out: Record<string, CborWritable> = { content };
  if (envelope.sender_pubkey !== undefined) out.sender_pubkey = envelope.sender_pubkey;
  if (envelope.sender_sig !== undefined) out.sender_sig = envelope.sender_sig;
  if (envelope.sender_delegation !== undefined) {
    out.sender_delegation = envelope.sender_delegation.map((link, i) => {
      const d = link.delegation;
      const delegation: Record<string, CborWritable> = {
        pubkey: d.pubkey,
        expiration: checkU64(d.expiration, `sender_delegation[${i}].delegation.expiration`),
      };
      if (d.targets !== undefined) {
        delegation.targets = d.targets.map((t, j) => principalBytes(t, `sender_delegation[${i}].delegation.targets[${j}]`));
      }
      return { delegation, signature: link.signature };
    });
  }
  return out;
}

/**
 * Reads a decoded envelope with a strict shape: only `call` requests, only the fields the IC defines, each
 * under its limit. `null` stands for an absent optional envelope field (some CBOR encoders write `None` so).
 */
export function signedCallEnvelopeFromCbor(value: CborValue | undefined, limits: Readonly<FrameLimits>): SignedCallEnvelope {
  const field = expectRecord(value, 'envelope', ['content'], ['sender_pubkey', 'sender_sig', 'sender_delegation']);
  const envelope: SignedCallEnvelope = { content: callContentFromCbor(field('content'), limits) };
  const pubkey = optional(field('sender_pubkey'));
  if (pubkey !== undefined) envelope.sender_pubkey = expectBytes(pubkey, 'envelope.sender_pubkey', limits.maxPublicKeyBytes);
  const sig = optional(field('sender_sig'));
  if (sig !== undefined) envelope.sender_sig = expectBytes(sig, 'envelope.sender_sig', limits.maxSignatureBytes);
  const chain = optional(field('sender_delegation'));
  if (chain !== undefined) envelope.sender_delegation = delegationsFromCbor(chain, limits);
  return envelope;
}

function callContentFromCbor(value: CborValue | undefined, limits: Readonly<FrameLimits>): CallRequestContent {
  const field = expectRecord(
    value,
    'envelope.content',
    ['request_type', 'canister_id', 'method_name', 'arg', 'sender', 'ingress_expiry'],
    ['nonce'],
  );
  const requestType = expectText(field('request_type'), 'envelope.content.request_type', 16);
  if (requestType !== 'call') {
    throw new ProtocolError(ErrorCode.CborInvalidShape, `envelope.content.request_type: expected "call", got "${requestType}"`);
  }
  const content: CallRequestContent = {
    request_type: 'call',
    canister_id: expectPrincipal(field('canister_id'), 'envelope.content.canister_id'),
    method_name: expectText(field('method_name'), 'envelope.content.method_name', limits.maxMethodNameLength),
    arg: expectBytes(field('arg'), 'envelope.content.arg'),
    sender: expectPrincipal(field('sender'), 'envelope.content.sender'),
    ingress_expiry: expectU64(field('ingress_expiry'), 'envelope.content.ingress_expiry'),
  };
  const nonce = field('nonce');
  if (nonce !== undefined) content.nonce = expectBytes(nonce, 'envelope.content.nonce', limits.maxNonceBytes);
  return content;
}

function delegationsFromCbor(value: CborValue, limits: Readonly<FrameLimits>): SignedDelegation[] {
  const links = expectArray(value, 'envelope.sender_delegation');
  if (links.length > limits.maxDelegations) {
    throw new ProtocolError(
      ErrorCode.FieldTooLarge,
      `envelope.sender_delegation: ${links.length} delegations, at most ${limits.maxDelegations} allowed`,
    );
  }
  return links.map((link, i) => {
    const what = `envelope.sender_delegation[${i}]`;
    const field = expectRecord(link, what, ['delegation', 'signature']);
    const d = expectRecord(field('delegation'), `${what}.delegation`, ['pubkey', 'expiration'], ['targets']);
    const delegation: SignedDelegation['delegation'] = {
      pubkey: expectBytes(d('pubkey'), `${what}.delegation.pubkey`, limits.maxPublicKeyBytes),
      expiration: expectU64(d('expiration'), `${what}.delegation.expiration`),
    };
    const targets = d('targets');
    if (targets !== undefined) {
      const list = expectArray(targets, `${what}.delegation.targets`);
      if (list.length > limits.maxDelegationTargets) {
        throw new ProtocolError(
          ErrorCode.FieldTooLarge,
          `${what}.delegation.targets: ${list.length} targets, at most ${limits.maxDelegationTargets} allowed`,
        );
      }
      delegation.targets = list.map((t, j) => expectPrincipal(t, `${what}.delegation.targets[${j}]`));
    }
    return { delegation, signature: expectBytes(field('signature'), `${what}.signature`, limits.maxSignatureBytes) };
  });
}

function optional(value: CborValue | undefined): CborValue | undefined {
  return value === null ? undefined : value;
}
