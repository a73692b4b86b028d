/**
 * The integration-test canister of ic-ws-canister: the library over azle, as an app would use it. App
 * messages are `record { text; n }`; every app message is echoed back as `echo: <text>` (the text `throw` makes
 * the handler throw instead); app methods send
 * to a client or a principal, send many (or big) messages at once, broadcast and close; init and
 * post_upgrade take shorter intervals for tests.
 */
import * as azle from 'azle';
import { query, update } from 'azle';
import { CanisterError } from 'ic-ws-canister';
import { defineWsCanister } from 'ic-ws-canister/azle';
import type { ClientKey } from 'ic-ws-protocol';
import {
  AppMessageIdl,
  InitArgIdl,
  WS_TEST_APP_METHODS as M,
  type AppMessage,
  type InitArg,
  type Result,
  type Target,
  type WsTestEvent,
} from './ws-test-idl';

// Heap only: the log restarts at an upgrade, which tests rely on to see only what happened after it.
let events: WsTestEvent[] = [];

const ws = defineWsCanister<AppMessage, [InitArg]>(azle, {
  appMessageIdl: AppMessageIdl,
  initArgIdls: [InitArgIdl],
  onStart: ([arg]) => {
    events = [];
    const given = arg[0];
    return {
      sendAckIntervalMs: given?.send_ack_interval_ms[0],
      keepAliveTimeoutMs: given?.keep_alive_timeout_ms[0],
      maxMessagesPerPoll: given?.max_messages_per_poll[0],
      maxReplyBytes: given?.max_reply_bytes[0],
    };
  },
  onOpen: (client) => events.push({ kind: 'open', client, detail: '' }),
  onMessage: (client, message) => {
    events.push({ kind: 'message', client, detail: message.text });
    // A handler that fails on some input: the library must keep the sequence and tell the client.
    if (message.text === 'throw') throw new Error(`the handler refused message n=${message.n}`);
    ws.send(client, { text: `echo: ${message.text}`, n: message.n });
  },
  onClose: (client, reason) => events.push({ kind: 'close', client, detail: reason }),
});

function toKeyOrPrincipal(target: Target): ClientKey | azle.Principal {
  return 'Client' in target ? target.Client : target.Principal;
}

// App misuse comes back as an Err value; anything else is a bug and traps.
function result(fn: () => void): Result {
  try {
    fn();
    return { Ok: null };
  } catch (error) {
    if (error instanceof CanisterError) return { Err: `${error.code}: ${error.message}` };
    throw error;
  }
}

export default class extends ws.Canister {
  @update(M.send.args, M.send.ret)
  send(target: Target, message: AppMessage): Result {
    return result(() => ws.send(toKeyOrPrincipal(target), message));
  }

  /**
   * Queues `count` messages of `size` characters (n = 0, 1, ...) in one execution. All or nothing: a refused
   * send traps, and the IC rolls back the ones before it.
   */
  @update(M.send_many.args, M.send_many.ret)
  send_many(target: Target, count: number, size: number): Result {
    const text = 'x'.repeat(size);
    ws.batch(() => {
      for (let n = 0; n < count; n++) ws.send(toKeyOrPrincipal(target), { text, n });
    });
    return { Ok: null };
  }

  @update(M.broadcast.args, M.broadcast.ret)
  broadcast(message: AppMessage): number {
    return ws.broadcast(message);
  }

  @update(M.close.args, M.close.ret)
  close(target: Target): Result {
    return result(() => ws.close(toKeyOrPrincipal(target)));
  }

  @query(M.clients.args, M.clients.ret)
  clients(): ClientKey[] {
    return ws.clients();
  }

  @query(M.is_connected.args, M.is_connected.ret)
  is_connected(target: Target): boolean {
    return ws.isConnected(toKeyOrPrincipal(target));
  }

  @query(M.events.args, M.events.ret)
  events(): WsTestEvent[] {
    return events;
  }
}
