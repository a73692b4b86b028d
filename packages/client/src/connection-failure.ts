import { ErrorCode } from 'ic-ws-protocol';
import type { IcWsClientError } from './client-error';

/**
 * Why a connection (one session through one gateway) failed, in the terms an app shows a user:
 * - `gateway-unreachable`: the WebSocket to the gateway never opened (down, wrong URL, network);
 * - `gateway-closed`: the gateway or the network closed the socket, with `code` (1001 going away, 1013 try
 *   again later, 4005 relay failed, 1006 when nothing was said, ...);
 * - `verification-failed`: a message did not pass the client's checks (certificate, witness, client key,
 *   gateway, order, ack): the gateway, or something in between, cannot be trusted;
 * - `canister-closed`: the canister closed the connection (a `CloseMessage`);
 * - `timeout`: no OpenMessage, ack or receipt in time: the path to the canister is broken or the IC is slow;
 * - `client-error`: the client itself could not go on (no root key, signing failed).
 */
export type ConnectionFailureKind =
  | 'gateway-unreachable'
  | 'gateway-closed'
  | 'verification-failed'
  | 'canister-closed'
  | 'timeout'
  | 'client-error';

/** A failed connection: its kind, the close code, and the error behind it. */
export interface ConnectionFailure {
  kind: ConnectionFailureKind;
  /** The close code: the gateway's own for `gateway-closed`, otherwise the one the client closed with. */
  code: number;
  /** A short human-readable explanation (the error's message). */
  reason: string;
  /** The gateway the connection went through. */
  gatewayUrl: string;
  error: IcWsClientError;
}

const KIND_OF: Partial<Record<ErrorCode, ConnectionFailureKind>> = {
  [ErrorCode.ConnectionLost]: 'gateway-closed',
  [ErrorCode.ClosedByCanister]: 'canister-closed',
  [ErrorCode.AckTimeout]: 'timeout',
  [ErrorCode.OpenTimeout]: 'timeout',
  [ErrorCode.RootKeyUnavailable]: 'client-error',
  [ErrorCode.SigningFailed]: 'client-error',
};

/** Classifies the error that ended a session; `socketOpened` tells an unreachable gateway from a closed one. */
export function connectionFailureOf(error: IcWsClientError, gatewayUrl: string, socketOpened: boolean): ConnectionFailure {
  const kind = error.code === ErrorCode.ConnectionLost && !socketOpened ? 'gateway-unreachable' : (KIND_OF[error.code] ?? 'verification-failed');
  return { kind, code: error.closeCode, reason: error.message, gatewayUrl, error };
}
