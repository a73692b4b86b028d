/**
 * Where a persistent outbox keeps the messages not yet acknowledged, so that a page reload (a new
 * `IcWebSocket` with the same store) re-sends them. Calls are synchronous (as `localStorage` is); a store that
 * throws is reported as `OUTBOX_STORAGE_FAILED` and the message carries on in memory.
 */
export interface OutboxStore {
  /** Every message stored for `scope`, in any order. */
  load(scope: OutboxScope): StoredOutboxMessage[];
  /** Stores `message` for `scope`, replacing one with the same `id`. */
  put(scope: OutboxScope, message: StoredOutboxMessage): void;
  /** Removes the message `id` of `scope`; a missing one is not an error. */
  delete(scope: OutboxScope, id: string): void;
}

/**
 * Whose messages: one canister and one sender. Messages are re-sent only by the identity that signed them in
 * the first place, and only to their canister.
 */
export interface OutboxScope {
  /** The canister id, as text. */
  canisterId: string;
  /** The identity's principal, as text. */
  principal: string;
}

/** One stored message. */
export interface StoredOutboxMessage {
  /** `<outbox hex>:<index>`, as {@link OutgoingMessage.id}. */
  id: string;
  /** The outbox id (16 bytes) and the message's index in it: its `message_id` on the wire. */
  outbox: Uint8Array;
  index: bigint;
  /** The Candid bytes of the app message. */
  content: Uint8Array;
  createdAtMs: number;
  /**
   * Whether it was ever handed to a gateway. After a reload, such a message is re-sent only to a canister that
   * drops duplicates (one offering receipts); otherwise it is reported `DELIVERY_UNCONFIRMED`.
   */
  relayed: boolean;
}
