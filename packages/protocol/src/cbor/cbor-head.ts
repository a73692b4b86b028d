/**
 * The head of a CBOR data item (major type and its argument, RFC 8949 section 3) in its shortest form, as
 * cborg writes it, for the encoders that write frames and trees straight into a buffer.
 */
import { ErrorCode, ProtocolError } from '../errors';

/** Major type 2, a byte string, in the head's first byte. */
export const CBOR_MAJOR_BYTES = 0x40;
/** Major type 3, a text string. */
export const CBOR_MAJOR_TEXT = 0x60;
/** Major type 4, an array. */
export const CBOR_MAJOR_ARRAY = 0x80;

/** Bytes of the shortest head announcing `n` (a length up to 2^32 - 1). */
export function cborHeadLength(n: number): number {
  if (n < 24) return 1;
  if (n < 0x100) return 2;
  if (n < 0x1_0000) return 3;
  if (n <= 0xffff_ffff) return 5;
  throw new ProtocolError(ErrorCode.OutOfRange, `a CBOR item of ${n} bytes is too large to encode here`);
}

/** Writes the shortest head of `major` announcing `n` at `at`; returns where it ends. */
export function writeCborHead(out: Uint8Array, at: number, major: number, n: number): number {
  switch (cborHeadLength(n)) {
    case 1:
      out[at] = major | n;
      return at + 1;
    case 2:
      out[at] = major | 24;
      out[at + 1] = n;
      return at + 2;
    case 3:
      out[at] = major | 25;
      out[at + 1] = n >>> 8;
      out[at + 2] = n & 0xff;
      return at + 3;
    default:
      out[at] = major | 26;
      out[at + 1] = n >>> 24;
      out[at + 2] = (n >>> 16) & 0xff;
      out[at + 3] = (n >>> 8) & 0xff;
      out[at + 4] = n & 0xff;
      return at + 5;
  }
}
