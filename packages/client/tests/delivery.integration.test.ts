/**
 * Issue 13, finding 5, against the real stack (ic-ws-devnet running the ws-chat canister, real ic-ws gateways,
 * IcWebSocket in Node): a gateway that silently drops a client's messages, or calls `ws_close` behind the
 * client's back, is noticed within the client's `ackTimeoutMs`, and every message on its way is re-sent on a
 * new connection and handled by the canister exactly once: none is lost without a trace. And finding 4 as the
 * app sees it: a handler that throws fails that one message, naming it, and nothing else.
 */
import { Actor, HttpAgent, type ActorSubclass } from '@dfinity/agent';
import { wsServiceIdlFactory, type CanisterWsCloseArguments, type CanisterWsCloseResult } from 'ic-ws-protocol';
import { ErrorCode, type IcWsClientError, type IcWsStateChangeEvent, type OutgoingMessage } from 'ic-ws-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withDeadline } from './support/client-recorder';
import { HostileProxy } from './support/hostile-proxy';
import { TestNetwork } from './support/test-network';
import { ChatMessageIdl, type ChatMessage } from './support/ws-chat-canister';

const ACK_TIMEOUT_MS = 3_000;

let net: TestNetwork;

beforeAll(async () => {
  net = await TestNetwork.start();
}, 120_000);

afterAll(async () => {
  await net?.close();
});

/** How many times the canister's handler took `text`. */
async function handledCount(text: string): Promise<number> {
  return (await net.chat.receivedTexts()).filter((received) => received === text).length;
}

function nextReconnecting(ws: EventTarget): Promise<IcWsStateChangeEvent> {
  return withDeadline(
    new Promise<IcWsStateChangeEvent>((resolve) =>
      ws.addEventListener('statechange', (event) => (event as IcWsStateChangeEvent).state === 'reconnecting' && resolve(event as IcWsStateChangeEvent)),
    ),
    'the reconnecting state',
  );
}

function relayed(message: OutgoingMessage<ChatMessage>, ws: EventTarget): Promise<number> {
  return new Promise((resolve) => {
    if (message.state === 'relayed') return resolve(performance.now());
    ws.addEventListener('delivery', (event) => {
      const delivery = event as unknown as { message: OutgoingMessage<ChatMessage>; state: string };
      if (delivery.message === message && delivery.state === 'relayed') resolve(performance.now());
    });
  });
}

const chat = (text: string): ChatMessage => ({ text, count: 1, tags: [] });

describe('a broken path to the canister', () => {
  it('a gateway that silently drops messages is noticed within ackTimeoutMs; they are re-sent and handled once', async () => {
    const gateway = await net.startGateway();
    const dropping = await HostileProxy.start(gateway.url);
    const client = net.client({ gatewayUrl: [dropping.url, gateway.url], ackTimeoutMs: ACK_TIMEOUT_MS, reconnectBaseDelayMs: 50, reconnectMaxDelayMs: 200 });
    await client.nextOpen();
    // From now on the proxy swallows everything the client sends: nothing reaches the gateway, and nothing
    // tells the client so.
    dropping.callRule = (call) => call.method !== 'ws_message';
    const texts = [1, 2, 3].map((n) => `dropped ${n} ${Date.now()}`);
    const reconnecting = nextReconnecting(client.ws);
    const messages = texts.map((text) => client.ws.send(chat(text)));
    const relayedAt = await relayed(messages[0]!, client.ws);
    const change = await reconnecting;
    const noticedAfterMs = performance.now() - relayedAt;
    console.log(`silent drop noticed ${Math.round(noticedAfterMs)} ms after the first message was relayed (ackTimeoutMs ${ACK_TIMEOUT_MS})`);
    expect(noticedAfterMs).toBeLessThan(ACK_TIMEOUT_MS + 1_500);
    expect(change.failure).toMatchObject({ kind: 'timeout', gatewayUrl: dropping.url });
    // Re-sent through the next gateway of the list and acknowledged; each handled exactly once.
    await withDeadline(Promise.all(messages.map((message) => message.acknowledged)), 'the re-sent messages to be acknowledged');
    for (const text of texts) expect(await handledCount(text)).toBe(1);
    client.ws.close();
    await client.closed();
    await dropping.close();
    await net.stopGateway(gateway);
  });

  it('a gateway that called ws_close behind the client\'s back is noticed within ackTimeoutMs; the message is re-sent and handled once', async () => {
    const gateway = await net.startGateway();
    const client = net.client({ gatewayUrl: gateway.url, ackTimeoutMs: ACK_TIMEOUT_MS, reconnectBaseDelayMs: 50, reconnectMaxDelayMs: 200 });
    const open = await client.nextOpen();
    const warmUp = client.ws.send(chat('before'));
    await warmUp.acknowledged;

    // The gateway, with its own identity, tells the canister the client left; the socket stays open.
    const agent = await HttpAgent.create({ host: net.devnet.url, identity: gateway.identity, rootKey: net.devnet.rootKey });
    const asGateway: ActorSubclass<{ ws_close(args: CanisterWsCloseArguments): Promise<CanisterWsCloseResult> }> = Actor.createActor(
      wsServiceIdlFactory(ChatMessageIdl),
      { agent, canisterId: net.canisterId },
    );
    expect(await asGateway.ws_close({ client_key: open.clientKey })).toEqual({ Ok: null });
    expect(client.ws.state).toBe('open');

    const text = `after ws_close ${Date.now()}`;
    const reconnecting = nextReconnecting(client.ws);
    const message = client.ws.send(chat(text));
    const relayedAt = await relayed(message, client.ws);
    const change = await reconnecting;
    const noticedAfterMs = performance.now() - relayedAt;
    console.log(`ws_close behind the client's back noticed ${Math.round(noticedAfterMs)} ms after the message was relayed (ackTimeoutMs ${ACK_TIMEOUT_MS})`);
    expect(noticedAfterMs).toBeLessThan(ACK_TIMEOUT_MS + 1_500);
    expect(change.failure?.kind).toBe('timeout');
    expect(message.state).toBe('queued');
    await withDeadline(message.acknowledged, 'the re-sent message to be acknowledged');
    expect(await handledCount(text)).toBe(1);
    client.ws.close();
    await client.closed();
    await net.stopGateway(gateway);
  });

  it('a handler that throws fails that message only, naming it; the connection and the messages after it carry on', async () => {
    const gateway = await net.startGateway();
    const client = net.client({ gatewayUrl: gateway.url });
    await client.nextOpen();
    const stamp = Date.now();
    const before = client.ws.send(chat(`before ${stamp}`));
    const refused = client.ws.send({ text: `refused ${stamp}`, count: 1, tags: ['throw'] });
    const after = client.ws.send(chat(`after ${stamp}`));
    await before.acknowledged;
    const error = (await refused.acknowledged.then(
      () => undefined,
      (reason: unknown) => reason,
    )) as IcWsClientError | undefined;
    expect(error?.code).toBe(ErrorCode.MessageFailed);
    // Which message (its sequence number in the session) and why (the handler's own words).
    expect(error?.message).toBe(`the canister failed message 2: the handler refused "refused ${stamp}"`);
    expect(refused.state).toBe('failed');
    await after.acknowledged;
    expect(await client.nextMessage()).toEqual({ text: `echo:before ${stamp}`, count: 2, tags: ['echoed'] });
    expect(await client.nextMessage()).toEqual({ text: `echo:after ${stamp}`, count: 2, tags: ['echoed'] });
    expect(client.ws.state).toBe('open');
    expect(await net.chat.receivedTexts()).toEqual(expect.arrayContaining([`before ${stamp}`, `refused ${stamp}`, `after ${stamp}`]));
    client.ws.close();
    await client.closed();
    await net.stopGateway(gateway);
  });
});
