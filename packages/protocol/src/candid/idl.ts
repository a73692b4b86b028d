import { IDL } from '@dfinity/candid';

/**
 * Candid IDL values for every type of the canister interface (docs/protocol.md section 2), defined once.
 * Record fields and variant tags carry the wire names; `types.ts` holds the matching TypeScript types.
 * `@__PURE__` lets bundlers drop the ones an app does not use (the package is `sideEffects: false`).
 */

/** `record { client_principal : principal; client_nonce : nat64 }` */
export const ClientKeyIdl = /* @__PURE__ */ IDL.Record({
  client_principal: IDL.Principal,
  client_nonce: IDL.Nat64,
});

/** `record { client_key; sequence_num : nat64; timestamp : nat64; is_service_message : bool; content : blob }` */
export const WebsocketMessageIdl = /* @__PURE__ */ IDL.Record({
  client_key: ClientKeyIdl,
  sequence_num: IDL.Nat64,
  timestamp: IDL.Nat64,
  is_service_message: IDL.Bool,
  content: IDL.Vec(IDL.Nat8),
});

/** `record { client_key : ClientKey; key : text; content : blob }` */
export const CanisterOutputMessageIdl = /* @__PURE__ */ IDL.Record({
  client_key: ClientKeyIdl,
  key: IDL.Text,
  content: IDL.Vec(IDL.Nat8),
});

/**
 * `record { messages : vec CanisterOutputMessage; cert : blob; tree : blob; is_end_of_queue : bool;
 * next_nonce : opt nat64 }`. `next_nonce` is an ic-ws extension (docs/protocol.md section 8): an `opt` field
 * the public stack neither sends nor reads, so both sides stay compatible (Candid ignores an extra field and
 * reads a missing `opt` one as empty).
 */
export const CanisterOutputCertifiedMessagesIdl = /* @__PURE__ */ IDL.Record({
  messages: IDL.Vec(CanisterOutputMessageIdl),
  cert: IDL.Vec(IDL.Nat8),
  tree: IDL.Vec(IDL.Nat8),
  is_end_of_queue: IDL.Bool,
  next_nonce: IDL.Opt(IDL.Nat64),
});

/** `record { client_nonce : nat64; gateway_principal : principal }` */
export const CanisterWsOpenArgumentsIdl = /* @__PURE__ */ IDL.Record({
  client_nonce: IDL.Nat64,
  gateway_principal: IDL.Principal,
});

/** `variant { Ok : null; Err : text }`, the result of `ws_open`. */
export const CanisterWsOpenResultIdl = /* @__PURE__ */ IDL.Variant({ Ok: IDL.Null, Err: IDL.Text });

/** `record { client_key : ClientKey }` */
export const CanisterWsCloseArgumentsIdl = /* @__PURE__ */ IDL.Record({ client_key: ClientKeyIdl });

/** `variant { Ok : null; Err : text }`, the result of `ws_close`. */
export const CanisterWsCloseResultIdl = /* @__PURE__ */ IDL.Variant({ Ok: IDL.Null, Err: IDL.Text });

/**
 * `record { outbox : blob; index : nat64 }`: an ic-ws extension (docs/protocol.md section 8). Names one app message
 * of one client outbox, so a canister can drop a message re-sent on a new connection after it already took it.
 */
export const ClientMessageIdIdl = /* @__PURE__ */ IDL.Record({ outbox: IDL.Vec(IDL.Nat8), index: IDL.Nat64 });

/**
 * `record { msg : WebsocketMessage; message_id : opt ClientMessageId }`. `message_id` is an ic-ws extension: a
 * client sends it only to a canister whose OpenMessage offers `receipts`; other canisters skip the field (Candid
 * record subtyping), and a canister decoding a public client's one-field record reads it as absent.
 */
export const CanisterWsMessageArgumentsIdl = /* @__PURE__ */ IDL.Record({
  msg: WebsocketMessageIdl,
  message_id: IDL.Opt(ClientMessageIdIdl),
});

/** `variant { Ok : null; Err : text }`, the result of `ws_message`. */
export const CanisterWsMessageResultIdl = /* @__PURE__ */ IDL.Variant({ Ok: IDL.Null, Err: IDL.Text });

/** `record { nonce : nat64 }` */
export const CanisterWsGetMessagesArgumentsIdl = /* @__PURE__ */ IDL.Record({ nonce: IDL.Nat64 });

/** `variant { Ok : CanisterOutputCertifiedMessages; Err : text }`, the result of `ws_get_messages`. */
export const CanisterWsGetMessagesResultIdl = /* @__PURE__ */ IDL.Variant({
  Ok: CanisterOutputCertifiedMessagesIdl,
  Err: IDL.Text,
});

/**
 * `record { client_key : ClientKey; extensions : opt vec text }`. `extensions` is ic-ws's: the extensions the
 * canister offers this connection (see {@link WS_EXTENSIONS}); clients that do not know the field skip it.
 */
export const CanisterOpenMessageContentIdl = /* @__PURE__ */ IDL.Record({
  client_key: ClientKeyIdl,
  extensions: IDL.Opt(IDL.Vec(IDL.Text)),
});

/** `record { last_incoming_sequence_num : nat64 }` */
export const CanisterAckMessageContentIdl = /* @__PURE__ */ IDL.Record({ last_incoming_sequence_num: IDL.Nat64 });

/** `record { last_incoming_sequence_num : nat64 }` */
export const ClientKeepAliveMessageContentIdl = /* @__PURE__ */ IDL.Record({
  last_incoming_sequence_num: IDL.Nat64,
});

/** `variant { WrongSequenceNumber; InvalidServiceMessage; KeepAliveTimeout; ClosedByApplication }` */
export const CloseMessageReasonIdl = /* @__PURE__ */ IDL.Variant({
  WrongSequenceNumber: IDL.Null,
  InvalidServiceMessage: IDL.Null,
  KeepAliveTimeout: IDL.Null,
  ClosedByApplication: IDL.Null,
});

/** `record { reason : CloseMessageReason }` */
export const CanisterCloseMessageContentIdl = /* @__PURE__ */ IDL.Record({ reason: CloseMessageReasonIdl });

/** `variant { Delivered; Duplicate; Failed : text }`: what became of one app message (ic-ws extension). */
export const ReceiptOutcomeIdl = /* @__PURE__ */ IDL.Variant({
  Delivered: IDL.Null,
  Duplicate: IDL.Null,
  Failed: IDL.Text,
});

/** `record { sequence_num : nat64; outcome : ReceiptOutcome }` (ic-ws extension `receipts`). */
export const CanisterReceiptMessageContentIdl = /* @__PURE__ */ IDL.Record({
  sequence_num: IDL.Nat64,
  outcome: ReceiptOutcomeIdl,
});

/**
 * `variant { OpenMessage; AckMessage; KeepAliveMessage; CloseMessage; ReceiptMessage }`, the content of a service
 * message. `ReceiptMessage` is ic-ws's and goes only to clients that asked for receipts (section 8).
 */
export const WebsocketServiceMessageContentIdl = /* @__PURE__ */ IDL.Variant({
  OpenMessage: CanisterOpenMessageContentIdl,
  AckMessage: CanisterAckMessageContentIdl,
  KeepAliveMessage: ClientKeepAliveMessageContentIdl,
  CloseMessage: CanisterCloseMessageContentIdl,
  ReceiptMessage: CanisterReceiptMessageContentIdl,
});
