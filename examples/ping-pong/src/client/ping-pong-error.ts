/** Why a ping-pong run failed. */
export type PingPongErrorCode =
  /** The connection did not open (gateway unreachable, canister refused, verification failed, ...). */
  | 'OPEN_FAILED'
  /** No pong arrived within `pongTimeoutMs`. */
  | 'PONG_TIMEOUT'
  /** A message that is not the pong of the ping just sent: wrong sequence, timestamp or kind. */
  | 'UNEXPECTED_MESSAGE'
  /** The connection closed before every pong arrived. */
  | 'CLOSED_EARLY'
  /** A command-line flag or variable that does not parse. */
  | 'INVALID_OPTIONS';

/** The error of a failed ping-pong run; `cause` holds the client's `IcWsClientError` when there is one. */
export class PingPongError extends Error {
  override readonly name = 'PingPongError';

  constructor(
    readonly code: PingPongErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
