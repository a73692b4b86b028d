// cborg-options must be evaluated before cborg itself (see that file): keep this import first.
import { canonicalDecodeOptions, decodeOptions, encodeOptions, SELF_DESCRIBE_TAG } from './cborg-options';
import { decode, encode } from 'cborg';
import { ErrorCode, ProtocolError } from '../errors';

export { SELF_DESCRIBE_TAG };
const SELF_DESCRIBE_PREFIX = Uint8Array.of(0xd9, 0xd9, 0xf7);

/**
 * A decoded CBOR data item. Maps decode to `Map` (never to plain objects, so a hostile `__proto__` key
 * cannot reach an object prototype); integers decode to `number` when safe and `bigint` otherwise.
 */
export type CborValue =
  | number
  | bigint
  | string
  | boolean
  | null
  | Uint8Array
  | CborValue[]
  | Map<CborValue, CborValue>;

/** A value the encoder accepts: plain objects and `Map`s become CBOR maps, in insertion order. */
export type CborEncodable =
  | number
  | bigint
  | string
  | boolean
  | null
  | Uint8Array
  | readonly CborEncodable[]
  | Map<string, CborEncodable>
  | { readonly [key: string]: CborEncodable };

/** Encodes `value` as CBOR; with `selfDescribe` the bytes start with tag 55799. */
export function cborEncode(value: CborEncodable, options: { selfDescribe?: boolean } = {}): Uint8Array {
  const body = encode(value, encodeOptions);
  if (!options.selfDescribe) return body;
  const out = new Uint8Array(SELF_DESCRIBE_PREFIX.length + body.length);
  out.set(SELF_DESCRIBE_PREFIX, 0);
  out.set(body, SELF_DESCRIBE_PREFIX.length);
  return out;
}

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

/**
 * Decodes one complete CBOR data item (tag 55799 optional and stripped). Throws a `ProtocolError` with
 * code `CBOR_MALFORMED` for anything that is not exactly one well-formed item: truncation, trailing bytes,
 * unknown tags, undefined, NaN, duplicate map keys, nesting deep enough to exhaust the stack, and with
 * `canonical` a length or integer not in its shortest form.
 */
export function cborDecode(bytes: Uint8Array, options: CborDecodeOptions = {}): CborValue {
  if (!(bytes instanceof Uint8Array)) {
    throw new ProtocolError(ErrorCode.CborMalformed, 'CBOR input must be a Uint8Array');
  }
  if (bytes.length === 0) {
    throw new ProtocolError(ErrorCode.CborMalformed, 'CBOR input is empty');
  }
  try {
    return decode(bytes, options.canonical === true ? canonicalDecodeOptions : decodeOptions) as CborValue;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ProtocolError(ErrorCode.CborMalformed, `malformed CBOR: ${reason}`, { cause: error });
  }
}

/** True when `bytes` starts with the self-describe tag 55799. */
export function hasSelfDescribeTag(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xd9 && bytes[1] === 0xd9 && bytes[2] === 0xf7;
}
