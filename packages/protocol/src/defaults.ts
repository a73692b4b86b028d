/**
 * Protocol-wide constants and defaults shared by canister library, gateway and client. Each side's own
 * options default to these; changing one on one side only is safe where its TSDoc says so.
 */
export const PROTOCOL_DEFAULTS = Object.freeze({
  /**
   * How often the canister sends every client an AckMessage, in ms. Also how long queued messages are
   * kept at least, and how long a gateway without clients is remembered.
   */
  sendAckIntervalMs: 300_000,
  /**
   * Exclusive lower bound of `sendAckIntervalMs`: the interval must be strictly above this, so that it is
   * longer than {@link PROTOCOL_DEFAULTS.keepAliveTimeoutMs} and a client always has time to answer.
   */
  minSendAckIntervalMs: 60_000,
  /** How long, in ms, the canister waits for a client's KeepAliveMessage after an ack before closing it. */
  keepAliveTimeoutMs: 60_000,
  /** Most messages one `ws_get_messages` reply carries. */
  maxMessagesPerPoll: 50,
  /**
   * Byte budget of one `ws_get_messages` reply (2 MiB): well under the IC's 3 MiB query reply limit,
   * leaving room for the certificate, the witness and the Candid framing.
   */
  maxGetMessagesReplyBytes: 2 * 1024 * 1024,
  /** The IC's limit on a query reply, in bytes; never to be reached. */
  icMaxQueryReplyBytes: 3 * 1024 * 1024,
  /** The IC's limit on an ingress message (a signed call envelope), in bytes. */
  icMaxIngressBytes: 2 * 1024 * 1024,
  /** Largest client nonce (and outgoing key nonce): the nonce is a `nat64`. */
  maxClientNonce: (1n << 64n) - 1n,
  /**
   * Extra time, in ms, a client waits beyond `sendAckIntervalMs` for an ack before closing itself: covers
   * timer drift on the canister, the gateway's polling delay and network latency.
   */
  clientAckMarginMs: 30_000,
  /** Oldest certificate, in ms, a client accepts (by its `time` leaf against the client's clock). */
  certificateMaxAgeMs: 5 * 60_000,
});

/** The type of {@link PROTOCOL_DEFAULTS}. */
export type ProtocolDefaults = typeof PROTOCOL_DEFAULTS;
