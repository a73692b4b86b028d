/**
 * A small CBOR encoder for the values the frame and envelope encoders write: text-keyed maps (in insertion
 * order), text, byte strings, unsigned 64-bit integers and arrays. It writes the bytes `cborEncode` writes for
 * those values (shortest heads, definite lengths; the tests compare them), without the generic encoder, so a
 * browser bundle that only sends frames does not carry it.
 */
import { ErrorCode, ProtocolError } from '../errors';

/** A value {@link cborWrite} accepts. */
export type CborWritable = string | bigint | Uint8Array | readonly CborWritable[] | { readonly [key: string]: CborWritable };

const MAJOR_UINT = 0x00;
const MAJOR_BYTES = 0x40;
const MAJOR_TEXT = 0x60;
const MAJOR_ARRAY = 0x80;
const MAJOR_MAP = 0xa0;
const SELF_DESCRIBE = Uint8Array.of(0xd9, 0xd9, 0xf7);
const MAX_U64 = (1n << 64n) - 1n;
const utf8 = new TextEncoder();

/**
 * Encodes `value` as CBOR; with `selfDescribe` the bytes start with tag 55799.
 * @throws ProtocolError `OUT_OF_RANGE` for an integer outside 0..2^64-1.
 */
export function cborWrite(value: CborWritable, selfDescribe = false): Uint8Array {
  const chunks: Uint8Array[] = selfDescribe ? [SELF_DESCRIBE] : [];
  const head = (major: number, n: number | bigint) => chunks.push(cborHeadBytes(major, n));
  const write = (item: CborWritable): void => {
    if (typeof item === 'string') {
      const bytes = utf8.encode(item);
      head(MAJOR_TEXT, bytes.length);
      chunks.push(bytes);
    } else if (typeof item === 'bigint') {
      head(MAJOR_UINT, item);
    } else if (item instanceof Uint8Array) {
      head(MAJOR_BYTES, item.length);
      chunks.push(item);
    } else if (Array.isArray(item)) {
      head(MAJOR_ARRAY, item.length);
      for (const element of item as readonly CborWritable[]) write(element);
    } else {
      const entries = Object.entries(item);
      head(MAJOR_MAP, entries.length);
      for (const [key, entry] of entries) {
        write(key);
        write(entry);
      }
    }
  };
  write(value);
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** The shortest head of `major` (its first byte's top three bits) carrying `n`. */
function cborHeadBytes(major: number, n: number | bigint): Uint8Array {
  const v = BigInt(n);
  if (v < 0n || v > MAX_U64) throw new ProtocolError(ErrorCode.OutOfRange, `${v} is outside the CBOR integer range written here (0..2^64-1)`);
  if (v < 24n) return Uint8Array.of(major | Number(v));
  const width = v < 0x100n ? 1 : v < 0x1_0000n ? 2 : v < 0x1_0000_0000n ? 4 : 8;
  const out = new Uint8Array(1 + width);
  // Additional information 24, 25, 26, 27: the argument follows in 1, 2, 4, 8 bytes, big-endian.
  out[0] = major | (width === 1 ? 24 : width === 2 ? 25 : width === 4 ? 26 : 27);
  if (width === 8) new DataView(out.buffer).setBigUint64(1, v);
  else for (let i = width, rest = Number(v); i >= 1; i--, rest >>>= 8) out[i] = rest & 0xff;
  return out;
}
