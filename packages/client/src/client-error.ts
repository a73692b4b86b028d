import { CloseCode, ErrorCode, IcWsError } from 'ic-ws-protocol';

/**
 * The error of ic-ws-client: an {@link IcWsError} with a `code` from the protocol's `ErrorCode` registry and,
 * when the failure ends a connection, the WebSocket `closeCode` the client closes it with.
 *
 * @example
 * ws.onerror = (event) => {
 *   if (event.error.code === ErrorCode.CertificateInvalid) console.warn('gateway sent a forged message');
 * };
 */
export class IcWsClientError extends IcWsError {
  override readonly name = 'IcWsClientError';
  /** The close code this failure closes the connection with (`CloseCode.InternalError` when none fits). */
  readonly closeCode: number;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; closeCode?: number } = {}) {
    super(code, message, options.cause === undefined ? undefined : { cause: options.cause });
    this.closeCode = options.closeCode ?? closeCodeOf(code);
  }

  /**
   * Wraps any thrown value: an `IcWsClientError` passes through unchanged, anything else (a `ProtocolError`
   * from a decoder, an agent-js error) becomes `code`, with the original as `cause`.
   */
  static from(error: unknown, code: ErrorCode, message: string): IcWsClientError {
    if (error instanceof IcWsClientError) return error;
    const detail = error instanceof Error ? error.message : String(error);
    return new IcWsClientError(code, `${message}: ${detail}`, { cause: error });
  }
}

// One close code per client error code, so every failure reaches the app (and the gateway) as a typed code.
const CLOSE_CODE_OF: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.HandshakeInvalid]: CloseCode.InvalidHandshake,
  [ErrorCode.CertificateInvalid]: CloseCode.CertificateInvalid,
  [ErrorCode.WitnessInvalid]: CloseCode.WitnessInvalid,
  [ErrorCode.WrongClientKey]: CloseCode.WrongClientKey,
  [ErrorCode.WrongGateway]: CloseCode.WrongGateway,
  [ErrorCode.NonceNotGrowing]: CloseCode.NonceNotGrowing,
  [ErrorCode.WrongSequenceNumber]: CloseCode.WrongSequenceNumber,
  [ErrorCode.InvalidCanisterMessage]: CloseCode.InvalidCanisterMessage,
  [ErrorCode.AckTimeout]: CloseCode.AckTimeout,
  [ErrorCode.AckAboveSent]: CloseCode.AckAboveSent,
  [ErrorCode.OpenTimeout]: CloseCode.ClientOpenTimeout,
  [ErrorCode.ReconnectExhausted]: CloseCode.ReconnectExhausted,
  [ErrorCode.RootKeyUnavailable]: CloseCode.RootKeyUnavailable,
  [ErrorCode.SigningFailed]: CloseCode.SigningFailed,
};

/** The close code a connection ends with when it fails with `code`. */
export function closeCodeOf(code: ErrorCode): number {
  return CLOSE_CODE_OF[code] ?? CloseCode.InternalError;
}
