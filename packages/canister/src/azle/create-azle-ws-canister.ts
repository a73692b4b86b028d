import { createWsCanister, type IcWebSocketCanister } from '../ws-canister';
import type { WsCanisterOptions } from '../ws-canister-options';
import type { AzleApi } from './azle-api';
import { azleHost } from './azle-host';
import type { AzleMemoryIds } from './azle-stable-store';

/** Options of {@link createAzleWsCanister}: the core's options plus where its state lives. */
export interface AzleWsCanisterOptions<AppMessage> extends WsCanisterOptions<AppMessage> {
  /**
   * Stable memory ids of the four maps that hold all connection state. Keep them the same across upgrades
   * and keep your own `StableBTreeMap`s off them.
   * @default AZLE_DEFAULT_MEMORY_IDS: { clients: 250, gateways: 251, messages: 252, meta: 253 }
   */
  memoryIds?: Partial<AzleMemoryIds>;
}

/**
 * Creates the WebSocket core over azle and starts it (certified data set, ack timers armed). Call it in
 * both `@init` and `@postUpgrade`, never at module level: azle instantiates the canister class at build
 * time too, where stable memory is not available. State in stable memory survives upgrades, so clients stay
 * connected and nonces continue.
 *
 * @example
 * ```ts
 * import * as azle from 'azle';
 * let ws: IcWebSocketCanister<string>;
 * const start = () => (ws = createAzleWsCanister(azle, { appMessageIdl: IDL.Text, onMessage: (c, m) => ws.send(c, m) }));
 * // @init([]) init() { start(); }   @postUpgrade([]) postUpgrade() { start(); }
 * ```
 */
export function createAzleWsCanister<AppMessage>(azle: AzleApi, options: AzleWsCanisterOptions<AppMessage>): IcWebSocketCanister<AppMessage> {
  const { memoryIds, ...coreOptions } = options;
  const ws = createWsCanister(azleHost(azle, memoryIds === undefined ? {} : { memoryIds }), coreOptions);
  ws.start();
  return ws;
}
