// cborg-options must be evaluated before cborg itself (see that file): keep this import first.
import { encodeOptions } from './cborg-options';
import { encode } from 'cborg';

// Decoding is ours (cbor-reader.ts): this module is the generic encoder only, kept out of the frame encoders'
// and decoders' imports so a browser bundle that never calls cborEncode does not load cborg.
export { cborDecode, hasSelfDescribeTag, SELF_DESCRIBE_TAG, type CborDecodeOptions, type CborValue } from './cbor-reader';
const SELF_DESCRIBE_PREFIX = Uint8Array.of(0xd9, 0xd9, 0xf7);

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
