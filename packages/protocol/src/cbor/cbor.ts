import { decode, encode, type DecodeOptions, type EncodeOptions } from 'cborg';
import { ErrorCode, ProtocolError } from '../errors';

/** The CBOR self-describe tag (55799), written as the three bytes `d9 d9 f7`. */
export const SELF_DESCRIBE_TAG = 55799;
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

const tagDecoders: DecodeOptions['tags'] = [];
tagDecoders[SELF_DESCRIBE_TAG] = (inner: unknown) => inner;

const decodeOptions: DecodeOptions = {
  useMaps: true,
  rejectDuplicateMapKeys: true,
  allowUndefined: false,
  allowInfinity: false,
  allowNaN: false,
  allowBigInt: true,
  tags: tagDecoders,
};

// Keep insertion order: the wire format fixes field order (protocol.md section 3), and a stable sort with
// a comparator that always answers "equal" leaves entries where they are.
const encodeOptions: EncodeOptions = { mapSorter: () => 0 };

/** Encodes `value` as CBOR; with `selfDescribe` the bytes start with tag 55799. */
export function cborEncode(value: CborEncodable, options: { selfDescribe?: boolean } = {}): Uint8Array {
  const body = encode(value, encodeOptions);
  if (!options.selfDescribe) return body;
  const out = new Uint8Array(SELF_DESCRIBE_PREFIX.length + body.length);
  out.set(SELF_DESCRIBE_PREFIX, 0);
  out.set(body, SELF_DESCRIBE_PREFIX.length);
  return out;
}

/**
 * Decodes one complete CBOR data item (tag 55799 optional and stripped). Throws a `ProtocolError` with
 * code `CBOR_MALFORMED` for anything that is not exactly one well-formed item: truncation, trailing bytes,
 * unknown tags, undefined, NaN, duplicate map keys, or nesting deep enough to exhaust the stack.
 */
export function cborDecode(bytes: Uint8Array): CborValue {
  if (!(bytes instanceof Uint8Array)) {
    throw new ProtocolError(ErrorCode.CborMalformed, 'CBOR input must be a Uint8Array');
  }
  if (bytes.length === 0) {
    throw new ProtocolError(ErrorCode.CborMalformed, 'CBOR input is empty');
  }
  try {
    return decode(bytes, decodeOptions) as CborValue;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ProtocolError(ErrorCode.CborMalformed, `malformed CBOR: ${reason}`, { cause: error });
  }
}

/** True when `bytes` starts with the self-describe tag 55799. */
export function hasSelfDescribeTag(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xd9 && bytes[1] === 0xd9 && bytes[2] === 0xf7;
}
