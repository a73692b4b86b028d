import { IcWsError, type ErrorCode } from 'ic-ws-protocol';

/**
 * A request the IC HTTP interface refuses before it reaches a canister. Carries the HTTP status a replica
 * answers with; the message becomes the plain-text body, as a replica's does.
 */
export class RequestError extends IcWsError {
  override readonly name = 'RequestError';
  /** The HTTP status of the answer (400 malformed or unauthenticated, 403 forbidden, 404, 413, ...). */
  readonly httpStatus: number;

  constructor(code: ErrorCode, httpStatus: number, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.httpStatus = httpStatus;
  }
}
