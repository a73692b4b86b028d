import fc from 'fast-check';
import { ErrorCode, ProtocolError } from '../../src/errors';

/**
 * Hostile inputs shared by the decoder tests: every decoder must answer each of them with a typed
 * `ProtocolError`, quickly, and never with anything else.
 */

/** `depth` nested one-element CBOR arrays around a zero. */
export function deepCborArray(depth: number): Uint8Array {
  const out = new Uint8Array(depth + 1).fill(0x81);
  out[depth] = 0x00;
  return out;
}

/** A CBOR byte string of `length` zero bytes (head included). */
export function cborByteString(length: number): Uint8Array {
  const head = Uint8Array.of(0x5a, (length >>> 24) & 0xff, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff);
  const out = new Uint8Array(head.length + length);
  out.set(head, 0);
  return out;
}

/** Calls `fn` and returns the `ProtocolError` it throws; fails the test when it throws anything else or nothing. */
export function protocolErrorOf(fn: () => unknown): ProtocolError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ProtocolError) return error;
    throw new Error(`expected a ProtocolError, got ${String(error)}`, { cause: error });
  }
  throw new Error('expected a ProtocolError, but nothing was thrown');
}

/** Every `ErrorCode` value, to check a thrown code is a registered one. */
export const ERROR_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));

/**
 * Random mutations of a valid encoding: flip, overwrite, insert or delete bytes, or truncate.
 */
export function mutationOf(valid: Uint8Array): fc.Arbitrary<Uint8Array> {
  const flip = fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })).map(([at, mask]) => {
    const out = valid.slice();
    const i = at % out.length;
    out[i] = (out[i] as number) ^ mask;
    return out;
  });
  const truncate = fc.nat({ max: valid.length - 1 }).map((n) => valid.slice(0, n));
  const insert = fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 8 })).map(([at, extra]) => {
    const i = at % (valid.length + 1);
    return Uint8Array.from([...valid.subarray(0, i), ...extra, ...valid.subarray(i)]);
  });
  const remove = fc.tuple(fc.nat(), fc.integer({ min: 1, max: 8 })).map(([at, n]) => {
    const i = at % valid.length;
    return Uint8Array.from([...valid.subarray(0, i), ...valid.subarray(i + n)]);
  });
  const multi = fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { minLength: 2, maxLength: 6 }).map((edits) => {
    const out = valid.slice();
    for (const [at, byte] of edits) out[at % out.length] = byte;
    return out;
  });
  return fc.oneof(flip, truncate, insert, remove, multi);
}

/**
 * Asserts `decode` either returns or throws a `ProtocolError` with a registered code, for random bytes and
 * random mutations of `valid`.
 */
export function assertOnlyProtocolErrors(decode: (bytes: Uint8Array) => unknown, valid: Uint8Array, numRuns = 400): void {
  const input = fc.oneof(fc.uint8Array({ maxLength: 256 }), mutationOf(valid));
  fc.assert(
    fc.property(input, (bytes) => {
      try {
        decode(bytes);
      } catch (error) {
        if (!(error instanceof ProtocolError) || !ERROR_CODES.has(error.code)) throw error;
      }
    }),
    { numRuns },
  );
}
