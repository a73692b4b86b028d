import { Principal } from '@dfinity/principal';
import { ErrorCode, ProtocolError } from './errors';

const MAX_U64 = (1n << 64n) - 1n;
const NONCE_DIGITS = 20;
// A principal's text is at most 63 characters (29 bytes + 4 checksum bytes in base32, dashed every 5).
const MAX_PRINCIPAL_TEXT = 63;
const MAX_KEY_LENGTH = MAX_PRINCIPAL_TEXT + 1 + NONCE_DIGITS;
const PRINCIPAL_TEXT = /^[a-z2-7]{1,5}(-[a-z2-7]{1,5})*$/;
const NONCE_TEXT = /^[0-9]{20}$/;

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
  if (typeof nonce !== 'bigint' || nonce < 0n || nonce > MAX_U64) {
    throw new ProtocolError(ErrorCode.OutOfRange, `outgoing key nonce ${String(nonce)} is not a u64`);
  }
  return `${gatewayPrincipal.toText()}_${nonce.toString().padStart(NONCE_DIGITS, '0')}`;
}

/**
 * Parses a key made by {@link formatOutgoingKey}, accepting nothing else: one `_`, a canonical principal
 * text with a valid checksum, exactly 20 digits, a value that fits 64 bits.
 *
 * @throws ProtocolError `INVALID_KEY`.
 */
export function parseOutgoingKey(key: string): OutgoingKey {
  if (typeof key !== 'string' || key.length > MAX_KEY_LENGTH) throw invalid(key, 'too long or not a string');
  const sep = key.indexOf('_');
  if (sep < 0 || sep !== key.lastIndexOf('_')) throw invalid(key, 'expected exactly one "_"');
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

function invalid(key: unknown, why: string, cause?: unknown): ProtocolError {
  const shown = typeof key === 'string' ? JSON.stringify(key.slice(0, 100)) : typeof key;
  return new ProtocolError(ErrorCode.InvalidKey, `invalid outgoing key ${shown}: ${why}`, cause === undefined ? undefined : { cause });
}
