/**
 * The ping-pong canister: the smallest app on ic-ws-canister. It accepts IC WebSocket connections and
 * answers every `Ping` with a `Pong` carrying the same sequence number and timestamp. Connection state
 * lives in stable memory (the binding's default), so clients stay connected through an upgrade.
 */
import * as azle from 'azle';
import { IDL, init, postUpgrade, query, update } from 'azle';
import { createAzleWsCanister, wsMethodTypes } from 'ic-ws-canister/azle';
import type { IcWebSocketCanister } from 'ic-ws-canister';
import type {
  CanisterWsCloseArguments,
  CanisterWsGetMessagesArguments,
  CanisterWsMessageArguments,
  CanisterWsOpenArguments,
} from 'ic-ws-protocol';
import { PingPongMessageIdl, type PingPongMessage } from '../ping-pong-message';

const methods = wsMethodTypes(PingPongMessageIdl);
let ws: IcWebSocketCanister<PingPongMessage>;
let pongs = 0;

// Called from init and postUpgrade, never at module level: azle also evaluates this module at build time.
function start(): void {
  ws = createAzleWsCanister(azle, {
    appMessageIdl: PingPongMessageIdl,
    onMessage: (client, message) => {
      // A Pong from a client is not a question: only pings are answered.
      if ('Ping' in message) {
        ws.send(client, { Pong: message.Ping });
        pongs += 1;
      }
    },
  });
}

export default class {
  @init([])
  init(): void {
    start();
  }

  @postUpgrade([])
  postUpgrade(): void {
    start();
  }

  @update(methods.ws_open.args, methods.ws_open.ret)
  ws_open(args: CanisterWsOpenArguments) {
    return ws.wsOpen(args);
  }

  @update(methods.ws_close.args, methods.ws_close.ret)
  ws_close(args: CanisterWsCloseArguments) {
    return ws.wsClose(args);
  }

  @update(methods.ws_message.args, methods.ws_message.ret)
  ws_message(args: CanisterWsMessageArguments, _appMessage: [] | [PingPongMessage]) {
    return ws.wsMessage(args);
  }

  @query(methods.ws_get_messages.args, methods.ws_get_messages.ret)
  ws_get_messages(args: CanisterWsGetMessagesArguments) {
    return ws.wsGetMessages(args);
  }

  /** Connected clients and pongs sent since the last install or upgrade (for tests and the curious). */
  @query([], IDL.Record({ clients: IDL.Nat32, pongs: IDL.Nat32 }))
  stats(): { clients: number; pongs: number } {
    return { clients: ws.clients().length, pongs };
  }
}
