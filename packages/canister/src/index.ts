// The core: entry points, app API, options, errors.
export { createWsCanister, IcWebSocketCanister } from './ws-canister';
export {
  WS_CANISTER_DEFAULTS,
  MIN_SEND_ACK_INTERVAL_MS,
  MIN_REPLY_BYTES,
  MAX_REPLY_BYTES,
  resolveWsCanisterOptions,
  type WsCanisterOptions,
  type AppMessageIdl,
  type ResolvedWsCanisterOptions,
} from './ws-canister-options';
export type { WsCloseReason } from './ws-close-reason';
export type { WsAppApi } from './ws-app-api';
export { WsErrorMessage } from './ws-error-messages';
export { CanisterError } from './canister-error';

// What a runtime binding implements.
export type { CanisterHost, TimerId } from './host';
export { MemoryStableStore, STABLE_MAP_NAMES, type StableMap, type StableMapName, type StableStore } from './stable-store';

// Fakes for tests are in 'ic-ws-canister/testing', not here.
