/**
 * Gateway integration-test canister: the ic-ws-canister core bound to Azle, echoing every text message.
 * Its state is heap-only (MemoryStableStore): an upgrade forgets every client and restarts the gateway's
 * nonces, which is exactly the case the gateway's poller must recover from.
 */
import { BROWSER_LIKE } from './no-node-buffer';
import { clearTimer, certifiedDataSet, dataCertificate, IDL, init, msgCaller, postUpgrade, query, setTimer, time, update } from 'azle';
import { createWsCanister, MemoryStableStore, type CanisterHost, type IcWebSocketCanister } from 'ic-ws-canister';
import {
  CanisterWsCloseArgumentsIdl,
  CanisterWsCloseResultIdl,
  CanisterWsGetMessagesArgumentsIdl,
  CanisterWsGetMessagesResultIdl,
  CanisterWsMessageArgumentsIdl,
  CanisterWsMessageResultIdl,
  CanisterWsOpenArgumentsIdl,
  CanisterWsOpenResultIdl,
  type CanisterWsCloseArguments,
  type CanisterWsGetMessagesArguments,
  type CanisterWsMessageArguments,
  type CanisterWsOpenArguments,
} from 'ic-ws-protocol';

const host: CanisterHost = {
  caller: () => msgCaller(),
  time: () => time(),
  certifiedDataSet: (data) => certifiedDataSet(data),
  dataCertificate: () => dataCertificate(),
  // Azle timers take whole seconds.
  setTimer: (delayMs, callback) => setTimer(Math.ceil(delayMs / 1000), callback),
  clearTimer: (id) => clearTimer(id as bigint),
  stableStore: new MemoryStableStore(),
};

let ws: IcWebSocketCanister<string>;

function start(): void {
  if (!BROWSER_LIKE) throw new Error('unreachable: the Buffer guard must run first');
  ws = createWsCanister<string>(host, {
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

  @update([CanisterWsOpenArgumentsIdl], CanisterWsOpenResultIdl)
  ws_open(args: CanisterWsOpenArguments) {
    return ws.wsOpen(args);
  }

  @update([CanisterWsCloseArgumentsIdl], CanisterWsCloseResultIdl)
  ws_close(args: CanisterWsCloseArguments) {
    return ws.wsClose(args);
  }

  @update([CanisterWsMessageArgumentsIdl, IDL.Opt(IDL.Text)], CanisterWsMessageResultIdl)
  ws_message(args: CanisterWsMessageArguments, _appMessage: [] | [string]) {
    return ws.wsMessage(args);
  }

  @query([CanisterWsGetMessagesArgumentsIdl], CanisterWsGetMessagesResultIdl)
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
