/**
 * The ping-pong canister: the smallest app on ic-ws-canister. It accepts IC WebSocket connections and
 * answers every `Ping` with a `Pong` carrying the same sequence number and timestamp. Connection state
 * lives in stable memory (the binding's default), so clients stay connected through an upgrade.
 */
import * as azle from 'azle';
import { IDL, query } from 'azle';
import { defineWsCanister } from 'ic-ws-canister/azle';
import { PingPongMessageIdl, type PingPongMessage } from '../ping-pong-message';

// Heap only: counts the pongs since the last install or upgrade.
let pongs = 0;

const ws = defineWsCanister<PingPongMessage>(azle, {
  appMessageIdl: PingPongMessageIdl,
  onMessage: (client, message) => {
    // A Pong from a client is not a question: only pings are answered.
    if ('Ping' in message) {
      ws.send(client, { Pong: message.Ping });
      pongs += 1;
    }
  },
});

export default class extends ws.Canister {
  /** Connected clients and pongs sent since the last install or upgrade (for tests and the curious). */
  @query([], IDL.Record({ clients: IDL.Nat32, pongs: IDL.Nat32 }))
  stats(): { clients: number; pongs: number } {
    return { clients: ws.clients().length, pongs };
  }
}
