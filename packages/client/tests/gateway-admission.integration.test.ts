/**
 * Issue 13, finding 1, against the real stack (ic-ws-devnet running the ws-chat canister, a real ic-ws gateway,
 * IcWebSocket): anyone can call `ws_open` naming any principal as its gateway. A hundred such calls, signed by
 * made-up identities and naming made-up gateways, must not keep a real gateway's client out; with the canister's
 * gateway allowlist set they are refused outright.
 */
import { Actor, HttpAgent, type ActorSubclass } from '@dfinity/agent';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import type { Principal } from '@dfinity/principal';
import { wsServiceIdlFactory, type CanisterWsOpenArguments, type CanisterWsOpenResult } from 'ic-ws-protocol';
import { describe, expect, it } from 'vitest';
import { useManualTestNetwork } from './support/manual-test-network';
import type { TestNetwork } from './support/test-network';
import { CHAT_KEEP_ALIVE_TIMEOUT_MS, ChatMessageIdl } from './support/ws-chat-canister';

const MADE_UP = 100;

let net: TestNetwork;

useManualTestNetwork((started) => (net = started));

interface WsOpenActor {
  ws_open(args: CanisterWsOpenArguments): Promise<CanisterWsOpenResult>;
}

/**
 * `count` `ws_open` calls over HTTP, each signed by a fresh identity (a principal that costs nothing to make)
 * and naming a fresh made-up gateway principal that nobody holds the key of; returns their results.
 */
async function openThroughMadeUpGateways(canisterId: Principal, count: number): Promise<CanisterWsOpenResult[]> {
  const results: CanisterWsOpenResult[] = [];
  for (let first = 0; first < count; first += 10) {
    const batch = Array.from({ length: Math.min(10, count - first) }, async () => {
      const agent = await HttpAgent.create({ host: net.devnet.url, identity: Ed25519KeyIdentity.generate(), rootKey: net.devnet.rootKey, retryTimes: 0 });
      const actor: ActorSubclass<WsOpenActor> = Actor.createActor(wsServiceIdlFactory(ChatMessageIdl), { agent, canisterId });
      return actor.ws_open({ client_nonce: 1n, gateway_principal: Ed25519KeyIdentity.generate().getPrincipal() });
    });
    results.push(...(await Promise.all(batch)));
  }
  return results;
}

describe('ws_open calls naming made-up gateways', () => {
  it(`${MADE_UP} of them do not keep a real gateway's client out, and they expire with their clients`, async () => {
    const results = await openThroughMadeUpGateways(net.canisterId, MADE_UP);
    // Accepted (a public gateway is admitted the same way until it shows it is real), but only pending.
    expect(results.filter((result) => 'Ok' in result)).toHaveLength(MADE_UP);
    expect(await net.chat.connectedClients()).toHaveLength(MADE_UP);

    const gateway = await net.startGateway();
    const client = net.client({ gatewayUrl: gateway.url });
    await client.nextOpen();
    const hello = client.ws.send({ text: 'hello', count: 1, tags: [] });
    expect(await client.nextMessage()).toEqual({ text: 'echo:hello', count: 2, tags: ['echoed'] });
    await hello.acknowledged;

    // One keep-alive timeout later the made-up registrations are gone; the real client stays (its gateway
    // was vouched for by the client's keep-alive, or proved itself).
    await net.advanceTime(CHAT_KEEP_ALIVE_TIMEOUT_MS + 1_000);
    const closed = await net.chat.closedClients();
    expect(closed.filter((entry) => entry.reason === 'GatewayNotConfirmed')).toHaveLength(MADE_UP);
    expect(await net.chat.connectedClients()).toHaveLength(1);
    expect(client.ws.state).toBe('open');
    const again = client.ws.send({ text: 'still here', count: 5, tags: [] });
    expect(await client.nextMessage()).toEqual({ text: 'echo:still here', count: 6, tags: ['echoed'] });
    await again.acknowledged;
    expect(client.errors).toEqual([]);
    client.ws.close();
    await client.closed();
    await net.stopGateway(gateway);
  }, 120_000);

  it('are refused outright by a canister with a gateway allowlist, whose listed gateway serves its client', async () => {
    const identity = Ed25519KeyIdentity.generate();
    const { canisterId, chat } = await net.installChat([identity.getPrincipal()]);
    await net.devnet.tick();
    const results = await openThroughMadeUpGateways(canisterId, MADE_UP);
    expect(results).toEqual(Array.from({ length: MADE_UP }, () => ({ Err: 'ws_open: this canister accepts only the gateways it lists' })));
    expect(await chat.connectedClients()).toEqual([]);

    const gateway = await net.startGateway({ identity });
    const client = net.client({ gatewayUrl: gateway.url, canisterId });
    await client.nextOpen();
    const hello = client.ws.send({ text: 'listed', count: 1, tags: [] });
    expect(await client.nextMessage()).toEqual({ text: 'echo:listed', count: 2, tags: ['echoed'] });
    await hello.acknowledged;
    expect(await chat.connectedClients()).toHaveLength(1);
    expect(await chat.receivedTexts()).toEqual(['listed']);
    client.ws.close();
    await client.closed();
    await net.stopGateway(gateway);
  }, 120_000);
});
