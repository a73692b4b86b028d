import { ErrorCode } from 'ic-ws-protocol';
import { CanisterError } from '../canister-error';
import type { StableStore } from '../stable-store';
import { createWsCanister, type IcWebSocketCanister } from '../ws-canister';
import type { WsCanisterOptions } from '../ws-canister-options';
import type { AzleRuntimeApi } from './azle-api';
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
  /**
   * Where the connection state lives instead of azle `StableBTreeMap`s: a `MemoryStableStore` keeps it in
   * the heap, so an upgrade forgets every connection. Not together with `memoryIds`.
   * @default an `AzleStableStore` at `memoryIds`
   */
  stableStore?: StableStore;
}

/**
 * Creates the WebSocket core over azle and starts it (certified data set, ack timers armed). Most canisters
 * use `defineWsCanister`, which calls this in init and post_upgrade and declares the entry points; call it
 * yourself only if you write the entry points yourself (see `wsMethodTypes`). Never at module level: azle
 * evaluates the module at build time too, where stable memory is not available.
 */
export function createAzleWsCanister<AppMessage>(azle: AzleRuntimeApi, options: AzleWsCanisterOptions<AppMessage>): IcWebSocketCanister<AppMessage> {
  const { memoryIds, stableStore, ...coreOptions } = options;
  if (memoryIds !== undefined && stableStore !== undefined) {
    throw new CanisterError(ErrorCode.InvalidOptions, 'createAzleWsCanister: give memoryIds or stableStore, not both');
  }
  const host = azleHost(azle, {
    ...(memoryIds === undefined ? {} : { memoryIds }),
    ...(stableStore === undefined ? {} : { stableStore }),
  });
  const ws = createWsCanister(host, coreOptions);
  ws.start();
  return ws;
}
