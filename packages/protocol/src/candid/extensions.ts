/**
 * The ic-ws extensions of the wire protocol (docs/protocol.md section 8). Each is opt-in on both sides: a canister
 * offers it in its OpenMessage (`extensions`), and a client uses it only when offered, so neither side ever sends
 * the public IC WebSocket stack anything it does not expect.
 */
export const WS_EXTENSIONS = {
  /**
   * The canister answers every `ws_message` that carries a `message_id` with a certified `ReceiptMessage`
   * (delivered, duplicate, or failed with a reason) and drops a message whose id it already took.
   */
  receipts: 'receipts',
} as const;

/** One of the {@link WS_EXTENSIONS} names. */
export type WsExtensionName = (typeof WS_EXTENSIONS)[keyof typeof WS_EXTENSIONS];

/** Bytes of a client outbox id (`ClientMessageId.outbox`): 128 random bits. */
export const CLIENT_OUTBOX_ID_BYTES = 16;

/**
 * Longest `Failed` reason of a `ReceiptMessage`, in UTF-8 bytes; a canister shortens longer ones. It keeps the
 * receipt far below the service message cap (`MAX_SERVICE_MESSAGE_BYTES`).
 */
export const MAX_RECEIPT_REASON_BYTES = 1024;
