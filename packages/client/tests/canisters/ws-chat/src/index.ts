/**
 * Client integration-test canister: ic-ws-canister over its Azle binding (connection state in stable memory,
 * as an app keeps it), with a record app message type and a short ack interval (61 s, the smallest the
 * library accepts, driven by the devnet's manual clock). It echoes every message and keeps a log of the
 * messages it handled (to count deliveries) and of closed clients and their reasons, so tests can see that a
 * client's close reached `ws_close` (or that the canister closed it for a missed keep-alive). A message tagged
 * `throw` makes its handler throw. Its init argument may list the only gateways it accepts.
 */
import * as azle from 'azle';
import { IDL, query, update, type Principal } from 'azle';
import { defineWsCanister } from 'ic-ws-canister/azle';
import { ClientKeyIdl, type ClientKey } from 'ic-ws-protocol';

/** The app message, both ways (tests/support/chat-message.ts declares the same type for the client). */
const ChatMessage = IDL.Record({ text: IDL.Text, count: IDL.Nat32, tags: IDL.Vec(IDL.Text) });
type ChatMessage = { text: string; count: number; tags: string[] };

/** One closed connection, as `closedClients` reports it. */
const ClosedClient = IDL.Record({ client_key: ClientKeyIdl, reason: IDL.Text });
type ClosedClient = { client_key: ClientKey; reason: string };

/** `opt record { gateways : vec principal }`: the gateway allowlist, if any. */
const InitArg = IDL.Opt(IDL.Record({ gateways: IDL.Vec(IDL.Principal) }));
type InitArg = [] | [{ gateways: Principal[] }];

// Heap only: an upgrade starts new logs.
const closed: ClosedClient[] = [];
const received: string[] = [];

const ws = defineWsCanister<ChatMessage, [InitArg]>(azle, {
  appMessageIdl: ChatMessage,
  initArgIdls: [InitArg],
  onStart: ([arg]) => (arg[0] === undefined ? {} : { gateways: arg[0].gateways }),
  sendAckIntervalMs: 61_000,
  keepAliveTimeoutMs: 30_000,
  onMessage: (client, message) => {
    received.push(message.text);
    // The tag `throw` makes the handler throw (after it logged the message): the library's catch is under test.
    if (message.tags.includes('throw')) throw new Error(`the handler refused "${message.text}"`);
    ws.send(client, { text: `echo:${message.text}`, count: message.count + 1, tags: [...message.tags, 'echoed'] });
  },
  onClose: (client, reason) => closed.push({ client_key: client, reason }),
});

export default class extends ws.Canister {
  /** Sends `message` to every connected client; returns how many. */
  @update([ChatMessage], IDL.Nat32)
  broadcast(message: ChatMessage): number {
    return ws.broadcast(message);
  }

  @query([], IDL.Vec(ClientKeyIdl))
  connectedClients(): ClientKey[] {
    return ws.clients();
  }

  @query([], IDL.Vec(ClosedClient))
  closedClients(): ClosedClient[] {
    return closed;
  }

  /** The text of every app message the handler took, in order. */
  @query([], IDL.Vec(IDL.Text))
  receivedTexts(): string[] {
    return received;
  }
}
