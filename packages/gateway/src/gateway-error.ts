import { IcWsError, type ErrorCode } from 'ic-ws-protocol';

/**
 * The one error class of ic-ws-gateway. Its `code` comes from the `ErrorCode` registry of ic-ws-protocol
 * (the `--- gateway` section, plus `INVALID_OPTIONS`), so callers and metrics branch on codes, not messages.
 *
 * @example
 * try { await startGateway({ tlsCert: 'cert.pem' }); }
 * catch (error) { if (error instanceof GatewayError && error.code === 'INVALID_OPTIONS') usage(); }
 */
export class GatewayError extends IcWsError {
  override readonly name = 'GatewayError';
  /**
   * True when the same request may succeed later: the IC was unreachable, overloaded (HTTP 5xx, 429) or did
   * not answer in time. The gateway retries such failures with backoff; any other failure is final.
   */
  readonly transient: boolean;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; transient?: boolean } = {}) {
    super(code, message, options.cause === undefined ? undefined : { cause: options.cause });
    this.transient = options.transient ?? false;
  }
}

/**
 * The message of any thrown value, for logs and wrapped errors (never for control flow). A foreign error's
 * causes are appended: `fetch()` says only "fetch failed", the reason (a refused connection, a reset, a
 * timeout) is in its `cause`. Our own errors already carry their cause's text in their message.
 */
export function describeError(error: unknown, depth = 0): string {
  if (!(error instanceof Error)) return String(error);
  if (error instanceof IcWsError || error.cause === undefined || error.cause === null || depth >= 3) return error.message;
  return `${error.message}: ${describeError(error.cause, depth + 1)}`;
}
