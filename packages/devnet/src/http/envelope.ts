import { Principal } from '@dfinity/principal';
import {
  cborDecode,
  ErrorCode,
  expectArray,
  expectBytes,
  expectMap,
  expectText,
  expectU64,
  MAX_PRINCIPAL_BYTES,
  ProtocolError,
  type CborValue,
  type SignedDelegation,
} from 'ic-ws-protocol';
import { representationIndependentHash, requestIdOf } from '../crypto/request-id';
import { RequestError } from './request-error';

/** The three request types of the IC HTTP interface. */
export type RequestType = 'call' | 'query' | 'read_state';

/** One link of a sender delegation chain (the protocol's shape), with what the previous key of the chain signed. */
export interface HashedDelegation extends SignedDelegation {
  /** The representation-independent hash of the delegation map: what the signature covers. */
  readonly hash: Uint8Array;
}

/** Fields every authenticated request carries. */
export interface EnvelopeBase {
  readonly requestId: Uint8Array;
  readonly sender: Principal;
  readonly ingressExpiry: bigint;
  readonly senderPubkey: Uint8Array | undefined;
  readonly senderSig: Uint8Array | undefined;
  readonly senderDelegation: readonly HashedDelegation[] | undefined;
}

/** A decoded `call` or `query` envelope. */
export interface CanisterCallEnvelope extends EnvelopeBase {
  readonly requestType: 'call' | 'query';
  readonly canisterId: Principal;
  readonly methodName: string;
  readonly arg: Uint8Array;
}

/** A decoded `read_state` envelope. */
export interface ReadStateEnvelope extends EnvelopeBase {
  readonly requestType: 'read_state';
  readonly paths: readonly (readonly Uint8Array[])[];
}

/** Any decoded envelope. */
export type Envelope = CanisterCallEnvelope | ReadStateEnvelope;

const MAX_NONCE_BYTES = 32;
const MAX_METHOD_NAME_CHARS = 20_000;
const MAX_PUBLIC_KEY_BYTES = 1024;
const MAX_SIGNATURE_BYTES = 65_536;
// Replica limits: 1000 paths of at most 127 labels, 20 delegations of at most 1000 targets each.
const MAX_PATHS = 1000;
const MAX_LABELS_PER_PATH = 127;
const MAX_DELEGATIONS = 20;
const MAX_TARGETS = 1000;

/**
 * Decodes a CBOR request envelope `{content, sender_pubkey?, sender_sig?, sender_delegation?}` of the
 * given type and computes its request id. Anything that is not such an envelope (junk, wrong
 * `request_type`, missing or mistyped fields) is a `RequestError` with status 400. Authentication is a
 * separate step ({@link authenticateEnvelope}).
 */
export function decodeEnvelope(body: Uint8Array, requestType: 'call' | 'query'): CanisterCallEnvelope;
export function decodeEnvelope(body: Uint8Array, requestType: 'read_state'): ReadStateEnvelope;
export function decodeEnvelope(body: Uint8Array, requestType: RequestType): Envelope {
  try {
    return decodeUnchecked(body, requestType);
  } catch (error) {
    if (error instanceof RequestError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new RequestError(ErrorCode.RequestMalformed, 400, `Could not parse body as ${requestType} message: ${reason}`, {
      cause: error,
    });
  }
}

function decodeUnchecked(body: Uint8Array, requestType: RequestType): Envelope {
  const envelope = expectMap(cborDecode(body), 'envelope');
  const content = expectMap(envelope.get('content'), 'content');
  const actualType = expectText(content.get('request_type'), 'content.request_type', 32);
  if (actualType !== requestType) {
    throw malformed(`request_type is "${actualType}", this endpoint takes "${requestType}"`);
  }
  const requestId = requestIdOf(content);
  if (!requestId) throw malformed('content has a field with no representation-independent hash');

  const nonce = content.get('nonce');
  if (nonce !== undefined) expectBytes(nonce, 'content.nonce', MAX_NONCE_BYTES);
  const base: EnvelopeBase = {
    requestId,
    sender: principalField(content.get('sender'), 'content.sender'),
    ingressExpiry: expectU64(content.get('ingress_expiry'), 'content.ingress_expiry'),
    senderPubkey: optionalBytes(envelope.get('sender_pubkey'), 'sender_pubkey', MAX_PUBLIC_KEY_BYTES),
    senderSig: optionalBytes(envelope.get('sender_sig'), 'sender_sig', MAX_SIGNATURE_BYTES),
    senderDelegation: optionalDelegations(envelope.get('sender_delegation')),
  };

  if (requestType === 'read_state') {
    const paths = expectArray(content.get('paths'), 'content.paths');
    if (paths.length > MAX_PATHS) throw malformed(`more than ${MAX_PATHS} paths`);
    return {
      ...base,
      requestType,
      paths: paths.map((path, i) => {
        const labels = expectArray(path, `content.paths[${i}]`);
        if (labels.length > MAX_LABELS_PER_PATH) throw malformed(`path ${i} has more than ${MAX_LABELS_PER_PATH} labels`);
        return labels.map((label, j) => expectBytes(label, `content.paths[${i}][${j}]`));
      }),
    };
  }
  return {
    ...base,
    requestType,
    canisterId: principalField(content.get('canister_id'), 'content.canister_id'),
    methodName: expectText(content.get('method_name'), 'content.method_name', MAX_METHOD_NAME_CHARS),
    arg: expectBytes(content.get('arg'), 'content.arg'),
  };
}

function optionalDelegations(value: CborValue | undefined): HashedDelegation[] | undefined {
  if (value === undefined) return undefined;
  const chain = expectArray(value, 'sender_delegation');
  if (chain.length > MAX_DELEGATIONS) throw malformed(`more than ${MAX_DELEGATIONS} delegations`);
  return chain.map((item, i) => {
    const signed = expectMap(item, `sender_delegation[${i}]`);
    const delegation = expectMap(signed.get('delegation'), `sender_delegation[${i}].delegation`);
    const hash = representationIndependentHash(delegation);
    if (!hash) throw malformed(`sender_delegation[${i}].delegation has a field with no representation-independent hash`);
    const targets = delegation.get('targets');
    const targetList = targets === undefined ? undefined : expectArray(targets, `sender_delegation[${i}].delegation.targets`);
    if (targetList && targetList.length > MAX_TARGETS) throw malformed(`delegation ${i} has more than ${MAX_TARGETS} targets`);
    const link: HashedDelegation = {
      delegation: {
        pubkey: expectBytes(delegation.get('pubkey'), `sender_delegation[${i}].delegation.pubkey`, MAX_PUBLIC_KEY_BYTES),
        expiration: expectU64(delegation.get('expiration'), `sender_delegation[${i}].delegation.expiration`),
      },
      signature: expectBytes(signed.get('signature'), `sender_delegation[${i}].signature`, MAX_SIGNATURE_BYTES),
      hash,
    };
    if (targetList !== undefined) {
      link.delegation.targets = targetList.map((target, j) => principalField(target, `sender_delegation[${i}].delegation.targets[${j}]`));
    }
    return link;
  });
}

function optionalBytes(value: CborValue | undefined, what: string, maxLength: number): Uint8Array | undefined {
  return value === undefined ? undefined : expectBytes(value, what, maxLength);
}

function principalField(value: CborValue | undefined, what: string): Principal {
  return Principal.fromUint8Array(expectBytes(value, what, MAX_PRINCIPAL_BYTES));
}

function malformed(message: string): ProtocolError {
  return new ProtocolError(ErrorCode.CborInvalidShape, message);
}
