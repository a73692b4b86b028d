/**
 * Gateway integration-test canister: ic-ws-canister over its Azle binding, echoing every text message.
 * Its state is heap-only (MemoryStableStore instead of the binding's stable maps): an upgrade forgets every
 * client and restarts the gateway's nonces, which is exactly the case the gateway's poller must recover from.
 */
import * as azle from 'azle';
import { IDL, query, update } from 'azle';
import { MemoryStableStore } from 'ic-ws-canister';
import { defineWsCanister } from 'ic-ws-canister/azle';

const ws = defineWsCanister<string>(azle, {
  appMessageIdl: IDL.Text,
  stableStore: new MemoryStableStore(),
  onMessage: (client, message) => ws.send(client, `echo:${message}`),
});

export default class extends ws.Canister {
  @update([IDL.Text], IDL.Nat32)
  broadcast(message: string): number {
    return ws.broadcast(message);
  }

  /** Queues `count` messages, round-robin over the connected clients, with one certification: a backlog. */
  @update([IDL.Nat32, IDL.Text], IDL.Nat32)
  flood(count: number, text: string): number {
    const clients = ws.clients();
    if (clients.length === 0) return 0;
    ws.batch(() => {
      for (let i = 0; i < count; i++) ws.send(clients[i % clients.length]!, `${text}-${i}`);
    });
    return count;
  }

  @query([], IDL.Nat32)
  clientCount(): number {
    return ws.clients().length;
  }
}
