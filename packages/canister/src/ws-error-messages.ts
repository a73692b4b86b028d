/**
 * The `Err` texts the four entry points return. They are constants so gateways, clients and tests can match
 * them exactly; they never embed caller-controlled values.
 */
export const WsErrorMessage = {
  /** `ws_open` by the anonymous principal: an anonymous client has no identity to sign messages with. */
  AnonymousClient: 'ws_open: the anonymous principal cannot open a connection',
  /** `ws_open` naming the anonymous principal as gateway: no gateway can poll as anonymous. */
  AnonymousGateway: 'ws_open: gateway_principal must not be the anonymous principal',
  /** `ws_open` with a client key (caller + nonce) that is already connected. */
  ClientKeyInUse: 'ws_open: this client key is already connected',
  /** `ws_open` while `maxClients` connections are open. */
  TooManyClients: 'ws_open: the canister has reached its maximum number of connections',
  /** `ws_open` through a new gateway while `maxGateways` gateways are registered. */
  TooManyGateways: 'ws_open: the canister has reached its maximum number of gateways',
  /** `ws_open` naming a gateway that is not in the `gateways` allowlist. */
  GatewayNotAllowed: 'ws_open: this canister accepts only the gateways it lists',
  /**
   * `ws_open` through an unconfirmed gateway that alone holds `maxPendingClients` connections (others are
   * dropped oldest first to make room).
   */
  TooManyPendingClients: 'ws_open: too many connections through gateways that have not confirmed',
  /** `ws_open` while the gateway's outgoing queue is full. */
  GatewayQueueFull: 'ws_open: the outgoing queue of this gateway is full',
  /** `ws_message` whose caller is not the principal of `msg.client_key`. */
  CallerNotClient: 'ws_message: the caller does not own client_key',
  /** `ws_message` or `ws_close` for a client key that is not connected. */
  ClientNotConnected: 'the client key is not connected',
  /** `ws_message` whose sequence number is not the next expected one; the client has been closed. */
  WrongSequenceNumber: 'ws_message: wrong sequence number; the connection is closed',
  /** `ws_message` with a service message other than a keep-alive; the client has been closed. */
  InvalidServiceMessage: 'ws_message: invalid service message; the connection is closed',
  /** `ws_message` whose content does not decode as the app message type; the client stays connected. */
  InvalidAppMessage: 'ws_message: the content does not decode as the application message type',
  /** `ws_message` whose `onMessage` threw; the message counts as received and the client stays connected. */
  HandlerFailed: 'ws_message: the application handler failed on this message',
  /** `ws_message` whose `message_id` is malformed (an outbox id that is not 16 bytes, or index 0). */
  InvalidMessageId: 'ws_message: message_id must name a 16-byte outbox and an index from 1',
  /** `ws_close` from a principal that is not a registered gateway. */
  GatewayNotRegistered: 'ws_close: the caller is not a registered gateway',
  /** A presence `ws_close` (naming the gateway itself) from a gateway not in the `gateways` allowlist. */
  PresenceNotAllowed: 'ws_close: the caller is not a gateway this canister lists',
  /** A presence `ws_close` while `maxGateways` gateways are confirmed; the gateway stays unconfirmed. */
  TooManyConfirmedGateways: 'ws_close: the canister has reached its maximum number of confirmed gateways',
  /** `ws_close` from a gateway other than the client's. */
  CallerNotClientGateway: 'ws_close: the caller is not the gateway of this client',
  /** `ws_get_messages` called where the runtime gives no data certificate (it must be a query). */
  NoDataCertificate: 'ws_get_messages: no data certificate; the method must be exposed as a query',
} as const;

/** One of the {@link WsErrorMessage} texts. */
export type WsErrorMessage = (typeof WsErrorMessage)[keyof typeof WsErrorMessage];
