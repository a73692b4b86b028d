import { ErrorCode, ProtocolError } from '../errors';

/** A `ProtocolError(CANDID_DECODE)` saying what is wrong with the Candid bytes. */
export function candidError(why: string): ProtocolError {
  return new ProtocolError(ErrorCode.CandidDecode, `invalid Candid: ${why}`);
}

/**
 * Reads the primitive encodings of the Candid binary format (LEB128 numbers, fixed-width integers, byte runs)
 * with bounds checks: every read past the end throws `CANDID_DECODE`, never returns garbage.
 */
export class CandidReader {
  pos = 0;
  constructor(readonly bytes: Uint8Array) {}

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  /** An unsigned LEB128 number; values past 2^53 are refused (no count or length gets there). */
  leb(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = this.byte();
      if (shift < 53) result += (byte & 0x7f) * 2 ** shift;
      else if ((byte & 0x7f) !== 0) throw candidError('LEB128 value too large');
      if ((byte & 0x80) === 0) return result;
      shift += 7;
    }
  }

  /** A signed LEB128 number (type opcodes and references). */
  sleb(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = this.byte();
      if (shift < 53) result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if ((byte & 0x80) === 0) {
        if (byte & 0x40 && shift < 60) result -= 2 ** shift;
        return result;
      }
    }
  }

  /** A count can never exceed the bytes left, since each counted item takes at least one byte. */
  bounded(n: number): number {
    if (n > this.remaining) throw candidError('count longer than the input');
    return n;
  }

  skip(n: number): void {
    if (n > this.remaining) throw candidError('truncated input');
    this.pos += n;
  }

  /** The next `n` bytes, as a view of the input (no copy). */
  view(n: number): Uint8Array {
    const start = this.pos;
    this.skip(n);
    return this.bytes.subarray(start, start + n);
  }

  /** A little-endian `nat64`. */
  u64(): bigint {
    const start = this.pos;
    this.skip(8);
    let low = 0;
    let high = 0;
    for (let i = 3; i >= 0; i--) {
      low = low * 256 + this.bytes[start + i]!;
      high = high * 256 + this.bytes[start + 4 + i]!;
    }
    return (BigInt(high) << 32n) | BigInt(low);
  }

  byte(): number {
    const byte = this.bytes[this.pos++];
    if (byte === undefined) throw candidError('truncated input');
    return byte;
  }
}
