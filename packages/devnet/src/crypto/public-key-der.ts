import { bytesToHex, concatBytes, hexToBytes } from '@noble/hashes/utils';

/** The signature schemes the interface accepts for senders and delegations. */
export type SenderKeyScheme = 'ed25519' | 'ecdsa-p256' | 'ecdsa-secp256k1';

/** A sender public key taken out of its DER `SubjectPublicKeyInfo`. */
export interface SenderPublicKey {
  readonly scheme: SenderKeyScheme;
  /** The raw key: 32 bytes for Ed25519, a SEC1 point (33 or 65 bytes) for ECDSA. */
  readonly raw: Uint8Array;
}

/** DER prefix of an Ed25519 `SubjectPublicKeyInfo` (RFC 8410); the raw 32-byte key follows. */
export const ED25519_DER_PREFIX = hexToBytes('302a300506032b6570032100');

/**
 * DER prefix of the IC's BLS12-381 root key (OIDs 1.3.6.1.4.1.44668.5.3.1.2.1 and .5.3.2.1); the 96-byte
 * compressed G2 key follows. The agent compares this prefix byte for byte.
 */
export const BLS_ROOT_KEY_DER_PREFIX = hexToBytes(
  '308182301d060d2b0601040182dc7c0503010201060c2b0601040182dc7c05030201036100',
);

// OIDs compared in their encoded content form (no tag, no length).
const OID_ED25519 = '2b6570'; // 1.3.101.112
const OID_EC_PUBLIC_KEY = '2a8648ce3d0201'; // 1.2.840.10045.2.1
const OID_P256 = '2a8648ce3d030107'; // 1.2.840.10045.3.1.7
const OID_SECP256K1 = '2b8104000a'; // 1.3.132.0.10

/** Wraps a raw 32-byte Ed25519 key in DER (44 bytes, what node keys look like in the state tree). */
export function ed25519PublicKeyToDer(raw: Uint8Array): Uint8Array {
  return concatBytes(ED25519_DER_PREFIX, raw);
}

/** Wraps a compressed 96-byte BLS12-381 G2 key in the IC's DER form (133 bytes). */
export function blsPublicKeyToDer(raw: Uint8Array): Uint8Array {
  return concatBytes(BLS_ROOT_KEY_DER_PREFIX, raw);
}

/**
 * Reads a DER `SubjectPublicKeyInfo` and returns the key when its algorithm is one the interface accepts
 * for senders (Ed25519, ECDSA on P-256 or secp256k1), or `undefined` for anything else: another
 * algorithm, trailing bytes, indefinite or oversized lengths. Never throws.
 */
export function decodeSenderPublicKey(der: Uint8Array): SenderPublicKey | undefined {
  const spki = readTlv(der, 0);
  if (!spki || spki.tag !== 0x30 || spki.end !== der.length) return undefined;
  const algorithm = readTlv(der, spki.start);
  if (!algorithm || algorithm.tag !== 0x30) return undefined;
  const bitString = readTlv(der, algorithm.end);
  if (!bitString || bitString.tag !== 0x03 || bitString.end !== spki.end) return undefined;
  // A BIT STRING starts with its count of unused bits, which must be 0 for a key.
  if (bitString.end - bitString.start < 2 || der[bitString.start] !== 0) return undefined;
  const raw = der.slice(bitString.start + 1, bitString.end);

  const oids: string[] = [];
  for (let offset = algorithm.start; offset < algorithm.end; ) {
    const item = readTlv(der, offset);
    if (!item || item.end > algorithm.end) return undefined;
    if (item.tag === 0x06) oids.push(bytesToHex(der.subarray(item.start, item.end)));
    else if (item.tag !== 0x05) return undefined; // only OIDs and an optional NULL parameter
    offset = item.end;
  }

  if (oids.length === 1 && oids[0] === OID_ED25519) {
    return raw.length === 32 ? { scheme: 'ed25519', raw } : undefined;
  }
  if (oids.length === 2 && oids[0] === OID_EC_PUBLIC_KEY) {
    const pointOk = (raw.length === 65 && raw[0] === 4) || (raw.length === 33 && (raw[0] === 2 || raw[0] === 3));
    if (!pointOk) return undefined;
    if (oids[1] === OID_P256) return { scheme: 'ecdsa-p256', raw };
    if (oids[1] === OID_SECP256K1) return { scheme: 'ecdsa-secp256k1', raw };
  }
  return undefined;
}

interface Tlv {
  readonly tag: number;
  /** Offset of the first content byte. */
  readonly start: number;
  /** Offset just past the last content byte. */
  readonly end: number;
}

/** Reads one definite-length TLV at `offset`; keys are small, so lengths above 2 bytes are refused. */
function readTlv(bytes: Uint8Array, offset: number): Tlv | undefined {
  if (offset + 2 > bytes.length) return undefined;
  const tag = bytes[offset] as number;
  let length = bytes[offset + 1] as number;
  let start = offset + 2;
  if (length & 0x80) {
    const lengthBytes = length & 0x7f;
    if (lengthBytes === 0 || lengthBytes > 2 || start + lengthBytes > bytes.length) return undefined;
    length = 0;
    for (let i = 0; i < lengthBytes; i++) length = (length << 8) | (bytes[start + i] as number);
    start += lengthBytes;
  }
  const end = start + length;
  return end <= bytes.length ? { tag, start, end } : undefined;
}
