/**
 * The strict CBOR decoder behind {@link cborDecode}: RFC 8949 items as the IC's formats use them, everything
 * else refused. Written here rather than taken from a general CBOR library because it decides what the
 * client accepts from an untrusted gateway (so every rule is in one readable place) and because it is a
 * fraction of a general decoder's size in a browser bundle.
 *
 * Accepted: unsigned and negative integers (a `number` when safe, a `bigint` otherwise), byte strings, UTF-8
 * text strings (invalid UTF-8 is refused), arrays, maps (decoded to `Map`, duplicate keys refused), tag 55799
 * (self-describe, stripped wherever it appears), `false`, `true`, `null`, and finite floats of every width.
 * Refused: other tags, `undefined`, other simple values, NaN and infinities, reserved additional information,
 * a stray break, truncation and trailing bytes. Indefinite lengths are read unless `canonical` is set, which also
 * refuses every integer or length not written in its shortest form.
 */
import { ErrorCode, ProtocolError } from '../errors';

/**
 * A decoded CBOR data item. Maps decode to `Map` (never to plain objects, so a hostile `__proto__` key
 * cannot reach an object prototype); integers decode to `number` when safe and `bigint` otherwise.
 */
export type CborValue = number | bigint | string | boolean | null | Uint8Array | CborValue[] | Map<CborValue, CborValue>;

/** Options of {@link cborDecode}. */
export interface CborDecodeOptions {
  /**
   * Also refuse any length or integer not written in its shortest form, and indefinite lengths (RFC 8949's
   * preferred serialization): for signed documents such as IC certificates, where a respelled length would be
   * harmless to us but read differently, or not at all, by another decoder.
   * @default false
   */
  canonical?: boolean;
}

/** The CBOR self-describe tag (55799), written as the three bytes `d9 d9 f7`. */
export const SELF_DESCRIBE_TAG = 55799;

const BREAK = 0xff;
const INDEFINITE = 31;
// Made on first use: a runtime whose polyfill lacks `fatal` then fails on text, not when the module loads.
let utf8: TextDecoder | undefined;

/**
 * Decodes one complete CBOR data item (tag 55799 optional and stripped). Throws a `ProtocolError` with
 * code `CBOR_MALFORMED` for anything that is not exactly one well-formed item: truncation, trailing bytes,
 * unknown tags, undefined, NaN, duplicate map keys, nesting deep enough to exhaust the stack, and with
 * `canonical` a length or integer not in its shortest form.
 */
export function cborDecode(bytes: Uint8Array, options: CborDecodeOptions = {}): CborValue {
  if (!(bytes instanceof Uint8Array)) throw new ProtocolError(ErrorCode.CborMalformed, 'CBOR input must be a Uint8Array');
  if (bytes.length === 0) throw new ProtocolError(ErrorCode.CborMalformed, 'CBOR input is empty');
  const reader = new CborReader(bytes, options.canonical === true);
  let value: CborValue;
  try {
    value = reader.item();
  } catch (error) {
    if (error instanceof ProtocolError) throw error;
    // A RangeError: nesting deep enough to exhaust the stack.
    throw malformed(error instanceof Error ? error.message : String(error), error);
  }
  if (reader.pos !== bytes.length) throw malformed(`${bytes.length - reader.pos} trailing bytes after the item`);
  return value;
}

/** True when `bytes` starts with the self-describe tag 55799. */
export function hasSelfDescribeTag(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xd9 && bytes[1] === 0xd9 && bytes[2] === 0xf7;
}

function malformed(reason: string, cause?: unknown): ProtocolError {
  return new ProtocolError(ErrorCode.CborMalformed, `malformed CBOR: ${reason}`, cause === undefined ? undefined : { cause });
}

class CborReader {
  pos = 0;
  readonly #view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly canonical: boolean,
  ) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** One item; a break (end of an indefinite item) is refused here, see {@link #itemOrBreak}. */
  item(): CborValue {
    const value = this.#itemOrBreak();
    if (value === BREAK_MARK) throw malformed(`unexpected break at byte ${this.pos - 1}`);
    return value;
  }

  #itemOrBreak(): CborValue | typeof BREAK_MARK {
    const at = this.pos;
    const initial = this.#byte();
    const major = initial >> 5;
    const info = initial & 31;
    if (major === 7) return this.#simple(info, at);
    if (info === INDEFINITE) {
      if (major === 0 || major === 1 || major === 6) throw malformed(`indefinite length for major type ${major} at byte ${at}`);
      if (this.canonical) throw malformed(`indefinite length at byte ${at} (not canonical)`);
      return this.#indefinite(major);
    }
    const argument = this.#argument(info, at);
    switch (major) {
      case 0:
        return argument;
      case 1:
        return typeof argument === 'bigint' || argument >= Number.MAX_SAFE_INTEGER ? -1n - BigInt(argument) : -1 - argument;
      case 2:
        return new Uint8Array(this.#take(this.#length(argument, at)));
      case 3:
        return this.#text(this.#take(this.#length(argument, at)), at);
      case 4: {
        const items: CborValue[] = [];
        for (let i = this.#count(argument, at); i > 0; i--) items.push(this.item());
        return items;
      }
      case 5: {
        const map = new Map<CborValue, CborValue>();
        for (let i = this.#count(argument, at); i > 0; i--) this.#entry(map);
        return map;
      }
      default: {
        if (argument !== SELF_DESCRIBE_TAG) throw malformed(`unsupported tag ${argument} at byte ${at}`);
        return this.item();
      }
    }
  }

  /** The argument of a head with additional information `info` (RFC 8949 section 3), shortest form checked. */
  #argument(info: number, at: number): number | bigint {
    if (info < 24) return info;
    if (info > 27) throw malformed(`reserved additional information ${info} at byte ${at}`);
    const width = 1 << (info - 24);
    const start = this.pos;
    if (width > this.bytes.length - start) throw malformed(`truncated: ${width} more bytes needed at byte ${start}`);
    this.pos += width;
    const value =
      width === 1 ? this.#view.getUint8(start) : width === 2 ? this.#view.getUint16(start) : width === 4 ? this.#view.getUint32(start) : this.#view.getBigUint64(start);
    const least = width === 1 ? 24 : width === 2 ? 0x100 : width === 4 ? 0x1_0000 : 0x1_0000_0000;
    if (this.canonical && value < least) throw malformed(`integer or length at byte ${at} not in its shortest form (not canonical)`);
    if (typeof value === 'bigint' && value <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(value);
    return value;
  }

  /** A length of bytes: it must fit in what is left. */
  #length(argument: number | bigint, at: number): number {
    if (argument > this.bytes.length - this.pos) throw malformed(`a string of ${argument} bytes at byte ${at} runs past the end`);
    return Number(argument);
  }

  /** A count of items: each takes at least one byte, so more than the bytes left is truncated input. */
  #count(argument: number | bigint, at: number): number {
    if (argument > this.bytes.length - this.pos) throw malformed(`${argument} items at byte ${at} run past the end`);
    return Number(argument);
  }

  #entry(map: Map<CborValue, CborValue>): void {
    const at = this.pos;
    const key = this.item();
    const value = this.item();
    if (hasKey(map, key)) throw malformed(`duplicate map key at byte ${at}`);
    map.set(key, value);
  }

  #indefinite(major: number): CborValue {
    if (major === 4 || major === 5) {
      const items: CborValue[] = [];
      const map = new Map<CborValue, CborValue>();
      for (;;) {
        if (this.#peekBreak()) return major === 4 ? items : map;
        if (major === 4) items.push(this.item());
        else this.#entry(map);
      }
    }
    // A byte or text string in chunks: definite strings of the same major type, then a break.
    const chunks: Uint8Array[] = [];
    while (!this.#peekBreak()) {
      const at = this.pos;
      const initial = this.#byte();
      if (initial >> 5 !== major || (initial & 31) === INDEFINITE) throw malformed(`a chunk of an indefinite string at byte ${at} is not a definite string of its type`);
      chunks.push(this.#take(this.#length(this.#argument(initial & 31, at), at)));
    }
    const joined = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
    let offset = 0;
    for (const chunk of chunks) {
      joined.set(chunk, offset);
      offset += chunk.length;
    }
    return major === 2 ? joined : this.#text(joined, this.pos);
  }

  #peekBreak(): boolean {
    if (this.pos >= this.bytes.length) throw malformed('an indefinite item is not closed');
    if (this.bytes[this.pos] !== BREAK) return false;
    this.pos++;
    return true;
  }

  #simple(info: number, at: number): CborValue | typeof BREAK_MARK {
    switch (info) {
      case 20:
        return false;
      case 21:
        return true;
      case 22:
        return null;
      case 25:
      case 26:
      case 27: {
        const start = this.pos;
        this.#take(1 << (info - 24));
        const value = info === 25 ? halfFloat(this.#view.getUint16(start)) : info === 26 ? this.#view.getFloat32(start) : this.#view.getFloat64(start);
        if (!Number.isFinite(value)) throw malformed(`${value} at byte ${at} (NaN and infinities are refused)`);
        return value;
      }
      case INDEFINITE:
        return BREAK_MARK;
      default:
        throw malformed(info === 23 ? `undefined at byte ${at}` : `unsupported simple value ${info} at byte ${at}`);
    }
  }

  #text(bytes: Uint8Array, at: number): string {
    // Short ASCII (map keys, method names) without the TextDecoder call, which costs more than the loop.
    const ascii = bytes.length <= 32 ? shortAscii(bytes) : undefined;
    if (ascii !== undefined) return ascii;
    try {
      utf8 ??= new TextDecoder('utf-8', { fatal: true });
      return utf8.decode(bytes);
    } catch (error) {
      throw malformed(`a text string at byte ${at} is not valid UTF-8`, error);
    }
  }

  /** The next byte, or a truncation error. */
  #byte(): number {
    if (this.pos >= this.bytes.length) throw malformed(`truncated: 1 more byte needed at byte ${this.pos}`);
    return this.bytes[this.pos++] as number;
  }

  /** The next `n` bytes (a view), or a truncation error. */
  #take(n: number): Uint8Array {
    if (n > this.bytes.length - this.pos) throw malformed(`truncated: ${n} more bytes needed at byte ${this.pos}`);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

const BREAK_MARK = Symbol('break');

/** Map keys compare by value: primitives as `Map` does, byte strings byte for byte, other items refused as keys twice by encoding. */
function hasKey(map: Map<CborValue, CborValue>, key: CborValue): boolean {
  if (typeof key !== 'object' || key === null) return map.has(key);
  for (const existing of map.keys()) if (sameItem(existing, key)) return true;
  return false;
}

function sameItem(a: CborValue, b: CborValue): boolean {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return a === b;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return a instanceof Uint8Array && b instanceof Uint8Array && a.length === b.length && a.every((byte, i) => byte === b[i]);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => sameItem(item, b[i] as CborValue));
  }
  const ma = a as Map<CborValue, CborValue>;
  const mb = b as Map<CborValue, CborValue>;
  if (ma.size !== mb.size) return false;
  const bEntries = [...mb];
  return [...ma].every(([k, v], i) => sameItem(k, bEntries[i]![0]) && sameItem(v, bEntries[i]![1]));
}

/** `bytes` as text when every byte is ASCII (and so valid UTF-8 meaning the same), else `undefined`. */
function shortAscii(bytes: Uint8Array): string | undefined {
  let text = '';
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] as number;
    if (byte >= 0x80) return undefined;
    text += String.fromCharCode(byte);
  }
  return text;
}

/** An IEEE 754 half-precision float from its 16 bits. */
function halfFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}
