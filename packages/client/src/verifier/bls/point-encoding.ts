/** The BLS12-381 base field modulus. */
const FIELD_MODULUS = 0x1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaabn;
const FIELD_BYTES = 48;
const COMPRESSED = 0x80;
const INFINITY = 0x40;
const SORT = 0x20;
const FLAGS = COMPRESSED | INFINITY | SORT;

/** A compressed G1 point (a signature). */
export const G1_COMPRESSED_LENGTH = FIELD_BYTES;
/** A compressed G2 point (a public key). */
export const G2_COMPRESSED_LENGTH = 2 * FIELD_BYTES;

/**
 * The canonical compressed encoding of the point that the compressed point `bytes` (48 bytes for G1, 96 for
 * G2) denotes when @noble/curves decodes it (`PointG1/G2.fromHex`, as agent-js's `blsVerify` does), or
 * `undefined` when noble can only refuse it (no compression flag, or the point at infinity, which noble
 * decodes and then refuses to pair). noble reduces each coordinate of x modulo p; mcl accepts only
 * canonical (reduced) encodings. Rewriting them first keeps the two verifiers' verdicts identical on every
 * input (the differential test checks it): the point, and so the pairing check, is the same.
 * Curve and subgroup membership are left to the decoder.
 */
export function canonicalCompressedPoint(bytes: Uint8Array): Uint8Array | undefined {
  if (bytes.length !== G1_COMPRESSED_LENGTH && bytes.length !== G2_COMPRESSED_LENGTH) return undefined;
  const flags = bytes[0]! & FLAGS;
  if ((flags & COMPRESSED) === 0 || (flags & INFINITY) !== 0) return undefined;
  let out: Uint8Array | undefined;
  for (let offset = 0; offset < bytes.length; offset += FIELD_BYTES) {
    const coordinate = readCoordinate(bytes, offset);
    if (coordinate < FIELD_MODULUS) continue;
    out ??= bytes.slice();
    writeCoordinate(out, offset, coordinate % FIELD_MODULUS);
  }
  if (out === undefined) return bytes;
  out[0] = out[0]! | flags;
  return out;
}

function readCoordinate(bytes: Uint8Array, offset: number): bigint {
  let value = 0n;
  for (let i = offset; i < offset + FIELD_BYTES; i++) value = (value << 8n) | BigInt(i === 0 ? bytes[i]! & ~FLAGS : bytes[i]!);
  return value;
}

function writeCoordinate(bytes: Uint8Array, offset: number, value: bigint): void {
  for (let i = offset + FIELD_BYTES - 1; i >= offset; i--) {
    bytes[i] = Number(value & 0xffn);
    value >>= 8n;
  }
}
