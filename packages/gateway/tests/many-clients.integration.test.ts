/**
 * Load through one gateway: 100 protocol-level clients on 3 ws-echo canisters (ic-ws-canister on Azle) in
 * ic-ws-devnet at once, messages both ways, every canister message verified by its client (certificate,
 * witness, hash, key), and every client close reaching its canister as `ws_close`.
 */
import type { Principal } from '@dfinity/principal';
import { decodeServiceMessageContent } from 'ic-ws-protocol';
import type { Devnet } from 'ic-ws-devnet';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeEd25519Identity } from '../src/ic/node-ed25519-identity';
import { startGateway, type GatewayHandle } from '../src/start-gateway';
import { EchoClient, echoText } from './support/echo-client';
import { installWsEcho, startEchoDevnet } from './support/echo-devnet';
import type { WsEchoActor } from './support/ws-echo-canister';

const CLIENTS = 100;
const CANISTERS = 3;
const MESSAGES_PER_CLIENT = 2;

let devnet: Devnet;
let gateway: GatewayHandle;
let canisters: { id: Principal; actor: WsEchoActor }[] = [];

beforeAll(async () => {
  const first = await startEchoDevnet();
  devnet = first.devnet;
  canisters.push({ id: first.canisterId, actor: first.echo });
  for (let i = 1; i < CANISTERS; i++) {
    const { canisterId, echo } = await installWsEcho(devnet, first.wasm);
    canisters.push({ id: canisterId, actor: echo });
  }
  gateway = await startGateway({
    listen: '127.0.0.1:0',
    adminListen: '',
    icUrl: devnet.url,
    identity: NodeEd25519Identity.generate(),
    logger: pino({ level: 'silent' }),
    pollingIntervalMs: 20,
    // The devnet executes updates one at a time: with a few hundred relays in flight, some wait long.
    icRequestTimeoutMs: 300_000,
  });
}, 180_000);

afterAll(async () => {
  await gateway?.close();
  await devnet?.close();
}, 60_000);

describe(`${CLIENTS} clients on ${CANISTERS} canisters through one gateway`, () => {
  it('open at once, exchange messages both ways in order, get broadcasts, and every close reaches its canister', async () => {
    const target = (i: number) => ({
      gatewayUrl: gateway.url,
      gatewayPrincipal: gateway.principal,
      canisterId: canisters[i % CANISTERS]!.id,
      rootKey: devnet.rootKey,
    });
    const opened = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => EchoClient.open(target(i))));
    for (const { client, first } of opened) {
      expect(first.is_service_message).toBe(true);
      expect(first.sequence_num).toBe(1n);
      expect(decodeServiceMessageContent(first.content)).toMatchObject({ OpenMessage: { client_key: { client_nonce: client.key.client_nonce } } });
    }
    const perCanister = canisters.map((_, c) => opened.filter((_, i) => i % CANISTERS === c).length);
    expect(await Promise.all(canisters.map((c) => c.actor.clientCount()))).toEqual(perCanister);

    // Client -> canister -> client: each client's own words come back echoed, in order, numbered from 2 without a
    // gap but for AckMessages the client answered and skipped (an early ack when the gateway's presence call is slow).
    await Promise.all(
      opened.map(async ({ client, first }, i) => {
        const words = Array.from({ length: MESSAGES_PER_CLIENT }, (_, k) => `c${i}-m${k}`);
        for (const word of words) await client.send(word);
        const replies = [];
        for (const _ of words) replies.push(await client.receive());
        expect(replies.map(echoText)).toEqual(words.map((w) => `echo:${w}`));
        expect([first, ...replies].map((m) => m.sequence_num)).toEqual(client.returnedSequenceNums);
      }),
    );

    // Canister -> clients: a broadcast on each canister reaches exactly that canister's clients.
    expect(await Promise.all(canisters.map((c, k) => c.actor.broadcast(`all-${k}`)))).toEqual(perCanister);
    const broadcasts = await Promise.all(opened.map(({ client }) => client.receive()));
    expect(broadcasts.map(echoText)).toEqual(opened.map((_, i) => `all-${i % CANISTERS}`));
    // Each the next message after the replies (acks answered and skipped aside).
    expect(broadcasts.map((m) => m.sequence_num)).toEqual(opened.map(({ client }) => client.returnedSequenceNums[MESSAGES_PER_CLIENT + 1]));

    // Client close -> gateway -> ws_close on the right canister, for every client.
    await Promise.all(opened.map(({ client }) => client.close()));
    await expect.poll(() => Promise.all(canisters.map((c) => c.actor.clientCount())), { timeout: 300_000, interval: 500 }).toEqual([0, 0, 0]);
    const closes = await gateway.metrics.registry.getSingleMetricAsString('ic_ws_gateway_ws_close_calls_total');
    expect(closes).toContain(`outcome="ok"} ${CLIENTS}`);
  }, 900_000);
});
