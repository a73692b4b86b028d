/**
 * Gateway integration-test canister: ic-ws-canister over its Azle binding, echoing every text message.
 * Its state is heap-only (MemoryStableStore instead of the binding's stable maps): an upgrade forgets every
 * client and restarts the gateway's nonces, which is exactly the case the gateway's poller must recover from.
 */
import * as azle from 'azle';
import { IDL, init, postUpgrade, query, update } from 'azle';
import { createWsCanister, MemoryStableStore, type IcWebSocketCanister } from 'ic-ws-canister';
import { azleHost, wsMethodTypes } from 'ic-ws-canister/azle';
import type {
  CanisterWsCloseArguments,
  CanisterWsGetMessagesArguments,
  CanisterWsMessageArguments,
  CanisterWsOpenArguments,
} from 'ic-ws-protocol';

const methods = wsMethodTypes(IDL.Text);
let ws: IcWebSocketCanister<string>;

function start(): void {
  ws = createWsCanister<string>(azleHost(azle, { stableStore: new MemoryStableStore() }), {
    appMessageIdl: IDL.Text,
    onMessage: (client, message) => ws.send(client, `echo:${message}`),
  });
  ws.start();
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
  ws_message(args: CanisterWsMessageArguments, _appMessage: [] | [string]) {
    return ws.wsMessage(args);
  }

  @query(methods.ws_get_messages.args, methods.ws_get_messages.ret)
  ws_get_messages(args: CanisterWsGetMessagesArguments) {
    return ws.wsGetMessages(args);
  }

  @update([IDL.Text], IDL.Nat32)
  broadcast(message: string): number {
    return ws.broadcast(message);
  }

  @query([], IDL.Nat32)
  clientCount(): number {
    return ws.clients().length;
  }
}
