import { Principal } from '@dfinity/principal';
import { ErrorCode, ProtocolError } from '../errors';
import type { CborValue } from './cbor-reader';

/**
 * Shape checks for decoded CBOR. Each returns the narrowed value or throws a `ProtocolError`
 * (`CBOR_INVALID_SHAPE`, `FIELD_TOO_LARGE`, `OUT_OF_RANGE`) naming the offending field, so decoders never
 * return half-valid objects.
 */
const MAX_U64 = (1n << 64n) - 1n;

function shapeError(what: string, expected: string, value: unknown): ProtocolError {
  return new ProtocolError(ErrorCode.CborInvalidShape, `${what}: expected ${expected}, got ${describe(value)}`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Uint8Array) return `bytes(${value.length})`;
  if (value instanceof Map) return 'map';
  if (Array.isArray(value)) return `array(${value.length})`;
  return typeof value;
}

export function expectMap(value: CborValue | undefined, what: string): Map<CborValue, CborValue> {
  if (!(value instanceof Map)) throw shapeError(what, 'a map', value);
  return value;
}

export function expectArray(value: CborValue | undefined, what: string): CborValue[] {
  if (!Array.isArray(value)) throw shapeError(what, 'an array', value);
  return value;
}

export function expectBytes(value: CborValue | undefined, what: string, maxLength = Infinity): Uint8Array {
  if (!(value instanceof Uint8Array)) throw shapeError(what, 'a byte string', value);
  if (value.length > maxLength) {
    throw new ProtocolError(ErrorCode.FieldTooLarge, `${what}: ${value.length} bytes, at most ${maxLength} allowed`);
  }
  return value;
}

export function expectText(value: CborValue | undefined, what: string, maxLength = Infinity): string {
  if (typeof value !== 'string') throw shapeError(what, 'a text string', value);
  if (value.length > maxLength) {
    throw new ProtocolError(ErrorCode.FieldTooLarge, `${what}: ${value.length} characters, at most ${maxLength} allowed`);
  }
  return value;
}

export function expectBool(value: CborValue | undefined, what: string): boolean {
  if (typeof value !== 'boolean') throw shapeError(what, 'a boolean', value);
  return value;
}

/** An unsigned integer that fits 64 bits, as a bigint. */
export function expectU64(value: CborValue | undefined, what: string): bigint {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw shapeError(what, 'an unsigned integer', value);
    value = BigInt(value);
  }
  if (typeof value !== 'bigint') throw shapeError(what, 'an unsigned integer', value);
  if (value < 0n || value > MAX_U64) {
    throw new ProtocolError(ErrorCode.OutOfRange, `${what}: ${value} is outside 0..2^64-1`);
  }
  return value;
}

/**
 * Reads a map whose keys are text, rejecting any key not in `allowed` and any missing key in `required`.
 * Returns a lookup function over the known fields.
 */
export function expectRecord(
  value: CborValue | undefined,
  what: string,
  required: readonly string[],
  optional: readonly string[] = [],
): (field: string) => CborValue | undefined {
  const map = expectMap(value, what);
  for (const key of map.keys()) {
    if (typeof key !== 'string' || (!required.includes(key) && !optional.includes(key))) {
      throw new ProtocolError(ErrorCode.CborInvalidShape, `${what}: unexpected field ${describeKey(key)}`);
    }
  }
  for (const key of required) {
    if (!map.has(key)) throw new ProtocolError(ErrorCode.CborInvalidShape, `${what}: missing field "${key}"`);
  }
  return (field) => map.get(field);
}

function describeKey(key: CborValue): string {
  return typeof key === 'string' ? `"${key.slice(0, 64)}"` : describe(key);
}

/** A principal is at most 29 bytes (IC interface spec); anything longer is not a principal. */
export const MAX_PRINCIPAL_BYTES = 29;

/** A principal encoded as a CBOR byte string of at most {@link MAX_PRINCIPAL_BYTES} bytes. */
export function expectPrincipal(value: CborValue | undefined, what: string): Principal {
  return Principal.fromUint8Array(expectBytes(value, what, MAX_PRINCIPAL_BYTES));
}

/**
 * Encoder-side check that `value` is a u64: a bigint outside that range would otherwise be written as a
 * CBOR bignum (tag 2/3), which no peer accepts where an unsigned integer is expected.
 */
export function checkU64(value: bigint, what: string): bigint {
  if (typeof value !== 'bigint' || value < 0n || value > MAX_U64) {
    throw new ProtocolError(ErrorCode.OutOfRange, `${what}: ${String(value)} is not a u64`);
  }
  return value;
}

/** Encoder-side: the bytes of `principal`, refusing one above {@link MAX_PRINCIPAL_BYTES}. */
export function principalBytes(principal: Principal, what: string): Uint8Array {
  const bytes = principal.toUint8Array();
  if (bytes.length > MAX_PRINCIPAL_BYTES) {
    throw new ProtocolError(ErrorCode.FieldTooLarge, `${what}: ${bytes.length} bytes, at most ${MAX_PRINCIPAL_BYTES} allowed`);
  }
  return bytes;
}
