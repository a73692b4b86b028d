/**
 * One devnet (manual time) with one ws-test canister installed, and factories for the parties: clients and
 * gateways over HTTP with their own identities, and an app actor for the canister's app methods.
 */
import { Actor, type ActorSubclass } from '@dfinity/agent';
import type { Principal } from '@dfinity/principal';
import type { ClientKey } from 'ic-ws-protocol';
import { startDevnet, type Devnet } from 'ic-ws-devnet';
import { AppMessageIdl, type AppMessage, type Result, type Target, type WsTestEvent } from '../canisters/ws-test/src/ws-test-idl';
import { agentFor, syncAgentClocks, TestClient, TestGateway, type WsTarget } from './ws-actors';
import { buildWsTestCanister, installWsTest, wsTestIdlFactory, wsTestInitArg } from './ws-test-canister';

/** The app methods of the ws-test canister. */
export interface WsTestApp {
  send(target: Target, message: AppMessage): Promise<Result>;
  send_many(target: Target, count: number, size: number): Promise<Result>;
  broadcast(message: AppMessage): Promise<number>;
  close(target: Target): Promise<Result>;
  clients(): Promise<ClientKey[]>;
  is_connected(target: Target): Promise<boolean>;
  events(): Promise<WsTestEvent[]>;
}

/** A running test environment. */
export interface WsTestEnv {
  devnet: Devnet;
  wasm: Uint8Array;
  canisterId: Principal;
  target: WsTarget;
  app: ActorSubclass<WsTestApp>;
  client(options?: Parameters<typeof TestClient.create>[1]): Promise<TestClient>;
  /** A gateway that has proved itself (its presence call made), as ic-ws-gateway is once it has polled. */
  gateway(): Promise<TestGateway>;
  /** Moves IC time forward, runs the timers that came due and brings the agents' clocks along. */
  advance(ms: number): Promise<void>;
  close(): Promise<void>;
}

/** Starts a devnet with manual time and installs the ws-test canister with `initOptions`. */
export async function startWsTestEnv(initOptions?: Parameters<typeof wsTestInitArg>[0]): Promise<WsTestEnv> {
  const { wasm } = await buildWsTestCanister();
  const devnet = await startDevnet({ time: 'manual' });
  const canisterId = await installWsTest(devnet, wasm, initOptions);
  const target: WsTarget = { url: devnet.url, canisterId, rootKey: devnet.rootKey, appMessageIdl: AppMessageIdl, agents: new Set() };
  const agent = await agentFor(target);
  return {
    devnet,
    wasm,
    canisterId,
    target,
    app: Actor.createActor<WsTestApp>(wsTestIdlFactory, { agent, canisterId }),
    client: (options) => TestClient.create(target, options),
    gateway: async () => {
      const gateway = await TestGateway.create(target);
      const presence = await gateway.presence();
      if ('Err' in presence) throw new Error(`presence refused: ${presence.Err}`);
      return gateway;
    },
    advance: async (ms) => {
      devnet.advanceTime(ms);
      await devnet.tick();
      await syncAgentClocks(target);
    },
    close: () => devnet.close(),
  };
}

/** The events of `key` as `kind:detail` strings, for readable assertions. */
export function eventsOf(events: WsTestEvent[], key: ClientKey): string[] {
  return events
    .filter((e) => e.client.client_principal.toText() === key.client_principal.toText() && e.client.client_nonce === key.client_nonce)
    .map((e) => `${e.kind}:${e.detail}`);
}
