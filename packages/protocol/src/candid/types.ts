import type { Principal } from '@dfinity/principal';

/**
 * TypeScript mirrors of the canister interface (docs/protocol.md section 2). Field names are snake_case
 * because these objects go to and come from `IDL.encode`/`IDL.decode` as they are: the names are the wire.
 * `nat64` is `bigint`, `blob` is `Uint8Array`, `principal` is `Principal`, a variant is a one-key object.
 */

/** Identifies one connection: the client's principal plus a random nonce the client picked for it. */
export interface ClientKey {
  client_principal: Principal;
  client_nonce: bigint;
}

/** One sequenced message in either direction; its CBOR encoding is what the canister certifies. */
export interface WebsocketMessage {
  client_key: ClientKey;
  /** 1, 2, ... per direction and connection. */
  sequence_num: bigint;
  /** Nanoseconds since the Unix epoch. */
  timestamp: bigint;
  /** True when `content` is a Candid-encoded {@link WebsocketServiceMessageContent}. */
  is_service_message: boolean;
  content: Uint8Array;
}

/** One queued canister -> client message as returned by `ws_get_messages`. */
export interface CanisterOutputMessage {
  client_key: ClientKey;
  /** `<gateway principal>_<20-digit nonce>`, see `formatOutgoingKey`. */
  key: string;
  /** CBOR-encoded {@link WebsocketMessage}. */
  content: Uint8Array;
}

/** A batch of queued messages with the certificate and witness that prove them. */
export interface CanisterOutputCertifiedMessages {
  messages: CanisterOutputMessage[];
  cert: Uint8Array;
  tree: Uint8Array;
  is_end_of_queue: boolean;
  /**
   * ic-ws extension: the nonce the canister will give this gateway's next queued message (the live end of
   * its queue), so a gateway can start polling there instead of re-reading old messages. Empty from
   * canisters of the public stack. A hint for the gateway, not certified: the client's sequence checks catch
   * a wrong one.
   */
  next_nonce: [] | [bigint];
}

/** Argument of `ws_open` (called by the client). */
export interface CanisterWsOpenArguments {
  client_nonce: bigint;
  gateway_principal: Principal;
}

/** Argument of `ws_close` (called by the gateway). */
export interface CanisterWsCloseArguments {
  client_key: ClientKey;
}

/**
 * Names one app message of one client outbox (ic-ws extension `receipts`): `outbox` is 16 random bytes picked by
 * the client, `index` counts that outbox's messages from 1. A message re-sent after a reconnection or a page
 * reload keeps its id, so the canister can tell it took it already.
 */
export interface ClientMessageId {
  outbox: Uint8Array;
  index: bigint;
}

/** First argument of `ws_message` (called by the client). */
export interface CanisterWsMessageArguments {
  msg: WebsocketMessage;
  /**
   * ic-ws extension: asks for a `ReceiptMessage` and lets the canister drop duplicates. Absent (`[]` once
   * decoded) from clients that do not use it; sent only to canisters whose OpenMessage offers `receipts`.
   */
  message_id?: [] | [ClientMessageId];
}

/** Argument of `ws_get_messages` (a query called by the gateway). */
export interface CanisterWsGetMessagesArguments {
  /** The next outgoing nonce the gateway expects. */
  nonce: bigint;
}

/** Result of `ws_open`. */
export type CanisterWsOpenResult = { Ok: null } | { Err: string };
/** Result of `ws_close`. */
export type CanisterWsCloseResult = { Ok: null } | { Err: string };
/** Result of `ws_message`. */
export type CanisterWsMessageResult = { Ok: null } | { Err: string };
/** Result of `ws_get_messages`. */
export type CanisterWsGetMessagesResult = { Ok: CanisterOutputCertifiedMessages } | { Err: string };

/** Service message the canister queues first for every new connection. */
export interface CanisterOpenMessageContent {
  client_key: ClientKey;
  /**
   * ic-ws extension: what the canister offers this connection (names from `WS_EXTENSIONS`). Absent (`[]` once
   * decoded) from canisters that offer nothing; `encodeServiceMessageContent` fills it in when omitted.
   */
  extensions?: [] | [string[]];
}

/** Periodic acknowledgement from the canister of what it received from the client. */
export interface CanisterAckMessageContent {
  last_incoming_sequence_num: bigint;
}

/** The client's answer to an ack: what it received from the canister. */
export interface ClientKeepAliveMessageContent {
  last_incoming_sequence_num: bigint;
}

/** Why the canister closed a connection. */
export type CloseMessageReason =
  | { WrongSequenceNumber: null }
  | { InvalidServiceMessage: null }
  | { KeepAliveTimeout: null }
  | { ClosedByApplication: null };

/** The variant names of {@link CloseMessageReason}, in declaration order. */
export const CLOSE_MESSAGE_REASONS = [
  'WrongSequenceNumber',
  'InvalidServiceMessage',
  'KeepAliveTimeout',
  'ClosedByApplication',
] as const;

/** One of the variant names of {@link CloseMessageReason}. */
export type CloseMessageReasonName = (typeof CLOSE_MESSAGE_REASONS)[number];

/** The canister's last message to a client it closes. */
export interface CanisterCloseMessageContent {
  reason: CloseMessageReason;
}

/** What became of one app message the client sent with a `message_id` (ic-ws extension `receipts`). */
export type ReceiptOutcome =
  /** The canister's handler took it. */
  | { Delivered: null }
  /** The canister had already taken a message with this id (a re-send): dropped, not handled again. */
  | { Duplicate: null }
  /** The content did not decode, or the canister's handler threw; the text says why. */
  | { Failed: string };

/** The canister's receipt for app message `sequence_num` of this connection (ic-ws extension `receipts`). */
export interface CanisterReceiptMessageContent {
  sequence_num: bigint;
  outcome: ReceiptOutcome;
}

/** The content of every service message (`is_service_message: true`), Candid-encoded. */
export type WebsocketServiceMessageContent =
  | { OpenMessage: CanisterOpenMessageContent }
  | { AckMessage: CanisterAckMessageContent }
  | { KeepAliveMessage: ClientKeepAliveMessageContent }
  | { CloseMessage: CanisterCloseMessageContent }
  | { ReceiptMessage: CanisterReceiptMessageContent };
