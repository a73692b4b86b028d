import { Principal } from '@dfinity/principal';
import { ErrorCode, ProtocolError } from './errors';

const MAX_U64 = (1n << 64n) - 1n;

/** How many decimal digits the nonce of an outgoing key has: enough for every u64, zero-padded. */
export const OUTGOING_KEY_NONCE_DIGITS = 20;
const SEPARATOR = '_';
// A principal's text is at most 63 characters (29 bytes + 4 checksum bytes in base32, dashed every 5).
const MAX_PRINCIPAL_TEXT = 63;
const MAX_KEY_LENGTH = MAX_PRINCIPAL_TEXT + SEPARATOR.length + OUTGOING_KEY_NONCE_DIGITS;
const PRINCIPAL_TEXT = /^[a-z2-7]{1,5}(-[a-z2-7]{1,5})*$/;
const NONCE_TEXT = new RegExp(`^[0-9]{${OUTGOING_KEY_NONCE_DIGITS}}$`);

/** A parsed outgoing message key. */
export interface OutgoingKey {
  gatewayPrincipal: Principal;
  nonce: bigint;
}

/**
 * The key of a queued canister message: `<gateway principal text>_<nonce as 20-digit zero-padded decimal>`.
 * Twenty digits hold every u64, so keys of one gateway sort like their nonces.
 *
 * @throws ProtocolError `OUT_OF_RANGE` when `nonce` is not a u64.
 * @example formatOutgoingKey(Principal.fromText('aaaaa-aa'), 7n) // 'aaaaa-aa_00000000000000000007'
 */
export function formatOutgoingKey(gatewayPrincipal: Principal, nonce: bigint): string {
  return formatOutgoingKeyOfText(gatewayPrincipal.toText(), nonce);
}

/**
 * {@link formatOutgoingKey} from the gateway's principal text (`principal.toText()`), for a caller that keeps
 * it: computing the text (base32 and a CRC) costs far more than the rest of the key.
 *
 * @throws ProtocolError `OUT_OF_RANGE` when `nonce` is not a u64.
 * @example formatOutgoingKeyOfText('aaaaa-aa', 7n) // 'aaaaa-aa_00000000000000000007'
 */
export function formatOutgoingKeyOfText(gatewayPrincipalText: string, nonce: bigint): string {
  if (typeof nonce !== 'bigint' || nonce < 0n || nonce > MAX_U64) {
    throw new ProtocolError(ErrorCode.OutOfRange, `outgoing key nonce ${String(nonce)} is not a u64`);
  }
  return `${gatewayPrincipalText}${SEPARATOR}${nonce.toString().padStart(OUTGOING_KEY_NONCE_DIGITS, '0')}`;
}

/**
 * The length of every key of the gateway whose principal text is `gatewayPrincipalText`: the text, `_` and
 * the 20 digits. Key characters are ASCII, so this is also their byte length.
 *
 * @example outgoingKeyLength('aaaaa-aa') // 29
 */
export function outgoingKeyLength(gatewayPrincipalText: string): number {
  return gatewayPrincipalText.length + SEPARATOR.length + OUTGOING_KEY_NONCE_DIGITS;
}

/**
 * Parses a key made by {@link formatOutgoingKey}, accepting nothing else: one `_`, a canonical principal
 * text with a valid checksum, exactly 20 digits, a value that fits 64 bits.
 *
 * @throws ProtocolError `INVALID_KEY`.
 */
export function parseOutgoingKey(key: string): OutgoingKey {
  if (typeof key !== 'string' || key.length > MAX_KEY_LENGTH) throw invalid(key, 'too long or not a string');
  const sep = key.indexOf(SEPARATOR);
  if (sep < 0 || sep !== key.lastIndexOf(SEPARATOR)) throw invalid(key, 'expected exactly one "_"');
  const principalText = key.slice(0, sep);
  const nonceText = key.slice(sep + 1);
  if (!NONCE_TEXT.test(nonceText)) throw invalid(key, 'the nonce must be exactly 20 decimal digits');
  const nonce = BigInt(nonceText);
  if (nonce > MAX_U64) throw invalid(key, 'the nonce does not fit 64 bits');
  if (principalText.length > MAX_PRINCIPAL_TEXT || !PRINCIPAL_TEXT.test(principalText)) {
    throw invalid(key, 'the gateway principal is not a principal text');
  }
  let gatewayPrincipal: Principal;
  try {
    gatewayPrincipal = Principal.fromText(principalText);
  } catch (error) {
    throw invalid(key, 'the gateway principal is not a valid principal', error);
  }
  // fromText checks the checksum; requiring the canonical spelling keeps one key per (gateway, nonce).
  if (gatewayPrincipal.toText() !== principalText) throw invalid(key, 'the gateway principal is not canonical');
  return { gatewayPrincipal, nonce };
}

// Principal texts of the gateways keys were checked against: a caller checks every key of a batch against
// the same principal object, and computing its text (base32 and a CRC) per key would dominate the check.
const principalTexts = new WeakMap<Principal, string>();

/**
 * The nonce of `key` when it is a key of `gatewayPrincipal` exactly as {@link parseOutgoingKey} accepts
 * it. A key of this gateway is recognised by its text alone, without decoding the principal again.
 *
 * @throws ProtocolError `INVALID_KEY` when `key` is not a valid key, `WRONG_GATEWAY` when it is a valid key
 *   of another gateway.
 */
export function outgoingKeyNonce(key: string, gatewayPrincipal: Principal): bigint {
  let own = principalTexts.get(gatewayPrincipal);
  if (own === undefined) {
    own = gatewayPrincipal.toText();
    principalTexts.set(gatewayPrincipal, own);
  }
  if (typeof key === 'string' && key.length === outgoingKeyLength(own) && key.startsWith(own) && key[own.length] === SEPARATOR) {
    const digits = key.slice(own.length + SEPARATOR.length);
    if (NONCE_TEXT.test(digits)) {
      const nonce = BigInt(digits);
      if (nonce <= MAX_U64) return nonce;
    }
  }
  // Not our key in its only spelling: parse it to say whether it is malformed or another gateway's.
  const parsed = parseOutgoingKey(key);
  if (parsed.gatewayPrincipal.compareTo(gatewayPrincipal) !== 'eq') {
    throw new ProtocolError(
      ErrorCode.WrongGateway,
      `message key ${key} names gateway ${parsed.gatewayPrincipal.toText()}, not ${own}`,
    );
  }
  // Unreachable for a canonical key of this gateway (the fast path took it); kept so that a key parseOutgoingKey
  // accepts is never refused here.
  return parsed.nonce;
}

function invalid(key: unknown, why: string, cause?: unknown): ProtocolError {
  const shown = typeof key === 'string' ? JSON.stringify(key.slice(0, 100)) : typeof key;
  return new ProtocolError(ErrorCode.InvalidKey, `invalid outgoing key ${shown}: ${why}`, cause === undefined ? undefined : { cause });
}
