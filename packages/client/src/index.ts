/**
 * ic-ws-client: a WebSocket to an Internet Computer canister through an IC WebSocket gateway. Signs every
 * message with the user's identity and verifies every canister message before the app sees it.
 */
export { IcWebSocket } from './ic-websocket';
export { IC_WEBSOCKET_DEFAULTS, type IcWebSocketOptions, type TimerApi } from './ic-websocket-options';
export {
  IcWsOpenEvent,
  IcWsMessageEvent,
  IcWsErrorEvent,
  IcWsCloseEvent,
  IcWsStateChangeEvent,
  IcWsDeliveryEvent,
  type IcWebSocketEventMap,
  type IcWebSocketState,
} from './events';
export type { OutgoingMessage, DeliveryState } from './delivery/outgoing-message';
export type { OutboxStore, OutboxScope, StoredOutboxMessage } from './delivery/outbox-store';
export { localStorageOutboxStore, type LocalStorageOutboxStoreOptions, type KeyValueStorage } from './delivery/local-storage-outbox-store';
export type { ConnectionFailure, ConnectionFailureKind } from './connection-failure';
export { IcWsClientError } from './client-error';
export { appMessageIdlFromFactory } from './app-message-idl';
export type { WebSocketLike, WebSocketConstructor } from './socket/web-socket-like';
export type { BlsVerifierKind } from './verifier/bls/bls-verifier';
export type { BlsVerifierPreference } from './verifier/bls/load-bls-verifier';
// The codes apps branch on, so they need not import ic-ws-protocol themselves.
export { CloseCode, ErrorCode, closeReasonText, type ClientKey } from 'ic-ws-protocol';
