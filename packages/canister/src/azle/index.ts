// ic-ws-canister/azle: the binding of the runtime-neutral core to azle 0.33. It never imports 'azle': the
// canister passes the module in (`import * as azle from 'azle'`), so this entry loads and type-checks anywhere.
export {
  defineWsCanister,
  type DefineWsCanisterOptions,
  type AzleWsCanister,
  type WsStartOptions,
} from './define-ws-canister';
export type { WsCanisterClass, WsStartPhase } from './ws-entry-points';
export { createAzleWsCanister, type AzleWsCanisterOptions } from './create-azle-ws-canister';
export { azleHost } from './azle-host';
export { AzleStableStore, AZLE_DEFAULT_MEMORY_IDS, type AzleMemoryIds } from './azle-stable-store';
export { wsMethodTypes, type WsMethodTypes } from './ws-method-types';
export type { AzleApi, AzleRuntimeApi, AzleDecoratorApi, AzleMethodDecorator, AzleSerializable, AzleStableBTreeMap } from './azle-api';
