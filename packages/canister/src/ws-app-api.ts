import type { IcWebSocketCanister } from './ws-canister';

/**
 * What an app calls on its WebSocket canister: send to, close and list connections. `IcWebSocketCanister`
 * has it; so has the handle `defineWsCanister` returns (ic-ws-canister/azle), which forwards it to the
 * core once init or post_upgrade has started it.
 */
export type WsAppApi<AppMessage> = Pick<
  IcWebSocketCanister<AppMessage>,
  'send' | 'broadcast' | 'close' | 'clients' | 'connectionsOf' | 'isConnected' | 'batch'
>;
