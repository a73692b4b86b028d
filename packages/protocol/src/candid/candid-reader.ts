import { ErrorCode, ProtocolError } from '../errors';

/** A `ProtocolError(CANDID_DECODE)` saying what is wrong with the Candid bytes. */
export function candidError(why: string): ProtocolError {
  return new ProtocolError(ErrorCode.CandidDecode, `invalid Candid: ${why}`);
}

// Bits of a long signed LEB128 read exactly, and the magnitude its value is capped at.
const SLEB_EXACT_BITS = 70n;
const SLEB_LIMIT = 2 ** 53;

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

  /** An unsigned LEB128 number; values past 2^53 - 1 are refused (no count or length gets there). */
  leb(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = this.byte();
      if (shift < 53) result += (byte & 0x7f) * 2 ** shift;
      else if ((byte & 0x7f) !== 0) throw candidError('LEB128 value too large');
      if ((byte & 0x80) === 0) {
        // The eighth byte can carry the sum past what a double holds exactly.
        if (result > Number.MAX_SAFE_INTEGER) throw candidError('LEB128 value too large');
        return result;
      }
      shift += 7;
    }
  }

  /**
   * A signed LEB128 number (type opcodes and references), exact however many bytes encode it (Candid allows
   * padded encodings, and @dfinity/candid reads them); values past ±2^53 come out as ±2^53, which no opcode or
   * reference is.
   */
  sleb(): number {
    const start = this.pos;
    let result = 0;
    for (let shift = 0; shift < 49; shift += 7) {
      const byte = this.byte();
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return byte & 0x40 ? result - 2 ** (shift + 7) : result;
    }
    // Eight bytes or more: past what a double adds up exactly.
    this.pos = start;
    return this.longSleb();
  }

  private longSleb(): number {
    let low = 0n;
    let shift = 0n;
    let highZeros = true;
    let highOnes = true;
    let byte: number;
    do {
      byte = this.byte();
      if (shift < SLEB_EXACT_BITS) low |= BigInt(byte & 0x7f) << shift;
      else {
        highZeros &&= (byte & 0x7f) === 0;
        highOnes &&= (byte & 0x7f) === 0x7f;
      }
      shift += 7n;
    } while (byte & 0x80);
    const negative = (byte & 0x40) !== 0;
    // Past the exact bits, only a sign extension keeps the value small.
    if (shift > SLEB_EXACT_BITS && !(negative ? highOnes : highZeros)) return negative ? -SLEB_LIMIT : SLEB_LIMIT;
    const bits = shift < SLEB_EXACT_BITS ? shift : SLEB_EXACT_BITS;
    const value = negative ? low - (1n << bits) : low;
    return value > BigInt(SLEB_LIMIT) ? SLEB_LIMIT : value < BigInt(-SLEB_LIMIT) ? -SLEB_LIMIT : Number(value);
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
