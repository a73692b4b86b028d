import { IcWsError } from 'ic-ws-protocol';

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
}

/** The message of any thrown value, for logs and wrapped errors (never for control flow). */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
