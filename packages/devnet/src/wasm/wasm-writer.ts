/**
 * A growable byte buffer for assembling rewritten modules.
 */
export class Writer {
  private buffer: Uint8Array;
  length = 0;

  constructor(capacity = 1 << 16) {
    this.buffer = new Uint8Array(capacity);
  }

  bytes(data: ArrayLike<number>): void {
    this.reserve(data.length);
    this.buffer.set(data, this.length);
    this.length += data.length;
  }

  /** Appends `source[from, to)`; short ranges are copied by hand, sparing a `subarray` allocation each. */
  copy(source: Uint8Array, from: number, to: number): void {
    const length = to - from;
    this.reserve(length);
    if (length > 48) {
      this.buffer.set(source.subarray(from, to), this.length);
    } else {
      const buffer = this.buffer;
      for (let i = 0, at = this.length; i < length; i++) buffer[at + i] = source[from + i]!;
    }
    this.length += length;
  }

  byte(value: number): void {
    this.reserve(1);
    this.buffer[this.length++] = value;
  }

  /** Unsigned LEB128 of a u32. */
  u32(value: number): void {
    let rest = value >>> 0;
    do {
      let byte = rest & 0x7f;
      rest >>>= 7;
      if (rest !== 0) byte |= 0x80;
      this.byte(byte);
    } while (rest !== 0);
  }

  /** Signed LEB128 of an integer within ±2^53 (what `i64.const` takes for the small constants used here). */
  s64(value: number): void {
    let rest = value;
    for (;;) {
      const byte = ((rest % 128) + 128) % 128;
      rest = Math.floor(rest / 128);
      if ((rest === 0 && (byte & 0x40) === 0) || (rest === -1 && (byte & 0x40) !== 0)) {
        this.byte(byte);
        return;
      }
      this.byte(byte | 0x80);
    }
  }

  result(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + extra));
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }
}
