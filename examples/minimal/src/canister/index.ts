/**
 * The smallest canister on ic-ws-canister: it accepts IC WebSocket connections and answers every text
 * message with `echo: <text>`, to the connection that sent it. `defineWsCanister` writes the four `ws_*`
 * entry points, init and post_upgrade; connection state lives in stable memory.
 */
import * as azle from 'azle';
import { IDL } from 'azle';
import { defineWsCanister } from 'ic-ws-canister/azle';

const ws = defineWsCanister<string>(azle, {
  appMessageIdl: IDL.Text,
  onMessage: (client, text) => ws.send(client, `echo: ${text}`),
});

export default class extends ws.Canister {}
