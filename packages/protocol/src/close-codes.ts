import type { CloseMessageReason } from './candid/types';

/**
 * WebSocket close codes used by the ic-ws gateway and client. Standard codes where one fits; the rest sit
 * in the application range 4000-4999: 40xx are sent by the gateway, 41xx mean the canister closed the
 * connection (one per `CloseMessageReason`), 42xx are client-side failures (the client closes itself and
 * reports the code to the app). The numbers are stable; docs/protocol.md lists each.
 */
export const CloseCode = {
  /** The connection did its job and ended normally. */
  Normal: 1000,
  /** The gateway is shutting down, or the client page is leaving. */
  GoingAway: 1001,
  /** A peer broke the protocol in a way no more specific code describes. */
  PolicyViolation: 1008,
  /** A frame exceeded its size limit. */
  MessageTooBig: 1009,
  /** An unexpected internal error. */
  InternalError: 1011,
  /**
   * The gateway is overloaded and refuses new sessions for now; the reason says when to try again
   * (`retry after <ms> ms`, see {@link retryAfterReason}). Standard code 1013 "Try Again Later".
   */
  TryAgainLater: 1013,

  // --- gateway (40xx) ---
  /** The client's first frame is not a well-formed client request frame. */
  InvalidFirstFrame: 4000,
  /** A client frame's envelope is malformed or not a call. */
  InvalidEnvelope: 4001,
  /** The first call is not `ws_open`, or a later one is not `ws_message`. */
  WrongMethod: 4002,
  /** An envelope addresses another canister than the session's. */
  WrongCanister: 4003,
  /** An envelope's sender is not the session's client principal. */
  WrongSender: 4004,
  /** The IC refused or failed to accept a relayed call. */
  RelayFailed: 4005,
  /** The canister's OpenMessage did not arrive in time. */
  OpenTimeout: 4006,
  /** The client read too slowly and its outbound buffer overflowed. */
  OutboundBufferOverflow: 4007,
  /** Polling the canister kept failing. */
  PollFailed: 4008,
  /** A later client frame is not a well-formed client request frame (text frame, junk). */
  InvalidFrame: 4009,
  /** Another session of this gateway already uses this client key. */
  ClientKeyInUse: 4010,
  /** A `ws_open` names another gateway principal than this gateway's (its messages would never be polled). */
  WrongGatewayPrincipal: 4011,
  /** The client sent envelopes faster than the gateway could relay them, beyond its pending limit. */
  TooManyPendingRequests: 4012,

  // --- canister closed the connection (41xx, one per CloseMessageReason) ---
  /** The canister got a message with a wrong sequence number. */
  CanisterWrongSequenceNumber: 4100,
  /** The canister got a service message it could not accept. */
  CanisterInvalidServiceMessage: 4101,
  /** The client did not answer an ack with a keep-alive in time. */
  CanisterKeepAliveTimeout: 4102,
  /** The application closed the connection. */
  CanisterClosedByApplication: 4103,

  // --- client-side failures (42xx) ---
  /** The gateway's handshake frame was missing or malformed. */
  InvalidHandshake: 4200,
  /** A certificate did not verify (signature, delegation, canister range or age). */
  CertificateInvalid: 4201,
  /** A witness did not match the certified data, or did not prove the message. */
  WitnessInvalid: 4202,
  /** A certified message was for another client key. */
  WrongClientKey: 4203,
  /** A message key names another gateway than the handshake's. */
  WrongGateway: 4204,
  /** A message key's nonce did not grow. */
  NonceNotGrowing: 4205,
  /** A canister message's sequence number was not the next expected. */
  WrongSequenceNumber: 4206,
  /** No ack arrived within the ack interval plus the margin. */
  AckTimeout: 4207,
  /** An ack acknowledged more messages than the client sent. */
  AckAboveSent: 4208,
  /** Every reconnection attempt failed. */
  ReconnectExhausted: 4209,
  /** A canister message frame or its content could not be decoded, or a service message was unexpected. */
  InvalidCanisterMessage: 4210,
  /** The client's own wait for the OpenMessage ran out. */
  ClientOpenTimeout: 4211,
  /** The client could not obtain the IC root key it needs to verify certificates. */
  RootKeyUnavailable: 4212,
  /** The client's identity failed to sign a request (for example an expired delegation). */
  SigningFailed: 4213,
} as const;

/** The name of a close code, e.g. `'WrongCanister'`. */
export type CloseCodeName = keyof typeof CloseCode;
/** A close code used by ic-ws. */
export type CloseCode = (typeof CloseCode)[CloseCodeName];

// Short enough for a WebSocket close frame (the reason may take at most 123 bytes).
const REASONS: Record<CloseCode, string> = {
  1000: 'normal closure',
  1001: 'going away',
  1008: 'protocol violation',
  1009: 'frame too large',
  1011: 'internal error',
  1013: 'try again later',
  4000: 'invalid first frame',
  4001: 'invalid envelope',
  4002: 'wrong method',
  4003: 'wrong canister',
  4004: 'wrong sender',
  4005: 'relay to the IC failed',
  4006: 'open timed out',
  4007: 'outbound buffer overflow (slow reader)',
  4008: 'polling the canister failed',
  4009: 'invalid frame',
  4010: 'client key already in use',
  4011: 'ws_open names another gateway',
  4012: 'too many pending requests',
  4100: 'canister closed: wrong sequence number',
  4101: 'canister closed: invalid service message',
  4102: 'canister closed: keep-alive timeout',
  4103: 'canister closed: closed by application',
  4200: 'invalid handshake',
  4201: 'certificate invalid',
  4202: 'witness invalid',
  4203: 'wrong client key',
  4204: 'wrong gateway',
  4205: 'message nonce did not grow',
  4206: 'wrong sequence number',
  4207: 'ack timeout',
  4208: 'ack above sent messages',
  4209: 'reconnect attempts exhausted',
  4210: 'invalid canister message',
  4211: 'open timed out (client)',
  4212: 'root key unavailable',
  4213: 'signing failed',
};

/** True when `code` is one of the ic-ws {@link CloseCode}s. */
export function isCloseCode(code: number): code is CloseCode {
  return Object.prototype.hasOwnProperty.call(REASONS, code);
}

/** The reason text sent with `code` in a close frame; `unknown close code N` for codes not in the registry. */
export function closeReasonText(code: number): string {
  return isCloseCode(code) ? REASONS[code] : `unknown close code ${code}`;
}

/** The close code that reports a canister's `CloseMessage` with `reason`. */
export function closeCodeForCloseMessageReason(reason: CloseMessageReason): CloseCode {
  if ('WrongSequenceNumber' in reason) return CloseCode.CanisterWrongSequenceNumber;
  if ('InvalidServiceMessage' in reason) return CloseCode.CanisterInvalidServiceMessage;
  if ('KeepAliveTimeout' in reason) return CloseCode.CanisterKeepAliveTimeout;
  return CloseCode.CanisterClosedByApplication;
}

const RETRY_AFTER = /(?:^|; )retry after (\d{1,9}) ms$/;

/**
 * The close reason of a {@link CloseCode.TryAgainLater} close: `try again later; retry after <ms> ms`. A
 * client that reads it waits at least that long before reconnecting (see {@link parseRetryAfterMs}).
 */
export function retryAfterReason(retryAfterMs: number): string {
  return `${closeReasonText(CloseCode.TryAgainLater)}; retry after ${Math.max(0, Math.min(999_999_999, Math.round(retryAfterMs)))} ms`;
}

/** The wait a close reason asks for (`retry after <ms> ms`, as {@link retryAfterReason} writes it), if any. */
export function parseRetryAfterMs(reason: string): number | undefined {
  const match = RETRY_AFTER.exec(reason);
  return match ? Number(match[1]) : undefined;
}
