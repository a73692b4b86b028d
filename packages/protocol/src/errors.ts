/**
 * The error-code registry of ic-ws. Every error thrown by any ic-ws package carries one of these codes,
 * so callers can branch on `error.code` instead of parsing messages. Codes are stable across releases;
 * `docs/protocol.md` lists each one with its meaning.
 */
export const ErrorCode = {
  // --- wire decoding (ic-ws-protocol) ---
  /** Bytes are not well-formed CBOR (truncated, bad major type, trailing bytes, too deep). */
  CborMalformed: 'CBOR_MALFORMED',
  /** Well-formed CBOR whose shape or field types do not match the expected structure. */
  CborInvalidShape: 'CBOR_INVALID_SHAPE',
  /** A field exceeds its size limit (for example a 10 MB blob where a principal is expected). */
  FieldTooLarge: 'FIELD_TOO_LARGE',
  /** Candid bytes that do not decode to the expected type. */
  CandidDecode: 'CANDID_DECODE',
  /** An outgoing message key that does not follow `<gateway principal>_<20-digit nonce>`. */
  InvalidKey: 'INVALID_KEY',
  /** A principal that cannot be parsed. */
  InvalidPrincipal: 'INVALID_PRINCIPAL',
  /** A hash tree that is not a valid IC hash tree. */
  HashTreeMalformed: 'HASH_TREE_MALFORMED',
  /** A value outside its allowed range (a nonce above 2^64-1, a negative sequence number, ...). */
  OutOfRange: 'OUT_OF_RANGE',
  /** Options rejected at construction. */
  InvalidOptions: 'INVALID_OPTIONS',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Base class of every error thrown by ic-ws packages. */
export class IcWsError extends Error {
  override readonly name: string = 'IcWsError';
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Thrown by ic-ws-protocol codecs and data structures. */
export class ProtocolError extends IcWsError {
  override readonly name = 'ProtocolError';
}
