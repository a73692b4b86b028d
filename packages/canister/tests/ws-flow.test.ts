/**
 * The ws-test canister (this library over azle, real wasm) on a devnet, driven over HTTP by the real agent:
 * a client with its own identity and gateways with theirs. Every polled message is verified as a client
 * must (tests/support/client-verifier.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { Principal } from '@dfinity/principal';
import { ErrorCode } from 'ic-ws-protocol';
import { WsErrorMessage } from '../src/index';
import { ClientVerifier, clientId } from './support/client-verifier';
import { TestGateway } from './support/ws-actors';
import { eventsOf, startWsTestEnv, type WsTestEnv } from './support/ws-test-env';

let env: WsTestEnv;
let gateway: TestGateway;

beforeAll(async () => {
  env = await startWsTestEnv();
  gateway = await env.gateway();
}, 180_000);

afterAll(async () => {
  await env?.close();
});

describe('open and app messages both ways', () => {
  it('opens: the OpenMessage is certified, carries the client key and is sequence 1; onOpen ran', async () => {
    const client = await env.client();
    expect(await client.open(gateway.principal)).toEqual({ Ok: null });
    const messages = await gateway.pollAll();
    expect(messages).toHaveLength(1);
    expect(clientId(messages[0]!.clientKey)).toBe(clientId(client.key));
    expect(messages[0]!.sequenceNum).toBe(1n);
    expect(messages[0]!.service).toEqual({ OpenMessage: { client_key: client.key, extensions: [['receipts']] } });
    expect(eventsOf(await env.app.events(), client.key)).toEqual(['open:']);
    expect(await env.app.is_connected({ Client: client.key })).toBe(true);
  });
});

describe('messages both ways', () => {
  it('an app message reaches onMessage decoded, and the echo comes back certified with the next sequence number', async () => {
    const client = await env.client();
    await client.open(gateway.principal);
    expect(await client.send({ text: 'hello', n: 7 })).toEqual({ Ok: null });
    expect(await client.send({ text: 'again', n: 8 })).toEqual({ Ok: null });
    const messages = (await gateway.pollAll()).filter((m) => clientId(m.clientKey) === clientId(client.key));
    expect(messages.map((m) => [m.sequenceNum, m.service ? Object.keys(m.service)[0] : m.app])).toEqual([
      [1n, 'OpenMessage'],
      [2n, { text: 'echo: hello', n: 7 }],
      [3n, { text: 'echo: again', n: 8 }],
    ]);
    expect(eventsOf(await env.app.events(), client.key)).toEqual(['open:', 'message:hello', 'message:again']);
  });

  it('app send reaches one client key, every connection of a principal, or everyone (broadcast)', async () => {
    const identity = Ed25519KeyIdentity.generate();
    const tab1 = await env.client({ identity, clientNonce: 1n });
    const tab2 = await env.client({ identity, clientNonce: 2n });
    const other = await env.client();
    for (const c of [tab1, tab2, other]) expect(await c.open(gateway.principal)).toEqual({ Ok: null });
    await gateway.pollAll();

    expect(await env.app.send({ Client: tab2.key }, { text: 'to tab 2', n: 1 })).toEqual({ Ok: null });
    expect(await env.app.send({ Principal: identity.getPrincipal() }, { text: 'to both tabs', n: 2 })).toEqual({ Ok: null });
    const connected = (await env.app.clients()).length;
    expect(await env.app.broadcast({ text: 'to all', n: 3 })).toBe(connected);
    const received = await gateway.pollAll();
    const textsOf = (key: typeof tab1.key) => received.filter((m) => clientId(m.clientKey) === clientId(key)).map((m) => (m.app as { text: string }).text);
    expect(textsOf(tab1.key)).toEqual(['to both tabs', 'to all']);
    expect(textsOf(tab2.key)).toEqual(['to tab 2', 'to both tabs', 'to all']);
    expect(textsOf(other.key)).toEqual(['to all']);
    expect(received).toHaveLength(1 + 2 + connected);
  });

  it('sending to a client that is not connected is refused with CLIENT_NOT_CONNECTED and queues nothing', async () => {
    const stranger = Principal.fromUint8Array(Uint8Array.of(0x11, 0x99));
    const result = await env.app.send({ Principal: stranger }, { text: 'nobody', n: 0 });
    expect(result).toEqual({ Err: expect.stringMatching(new RegExp(`^${ErrorCode.ClientNotConnected}: `)) });
    expect(await gateway.pollAll()).toEqual([]);
  });
});

describe('protocol violations and errors', () => {
  it('a wrong sequence number closes the client with CloseMessage{WrongSequenceNumber}', async () => {
    const client = await env.client();
    await client.open(gateway.principal);
    expect(await client.sendContent(false, new Uint8Array(), 5n)).toEqual({ Err: WsErrorMessage.WrongSequenceNumber });
    const [open, close] = (await gateway.pollAll()).filter((m) => clientId(m.clientKey) === clientId(client.key));
    expect(open?.service).toHaveProperty('OpenMessage');
    expect(close?.service).toEqual({ CloseMessage: { reason: { WrongSequenceNumber: null } } });
    expect(close?.sequenceNum).toBe(2n);
    expect(await env.app.is_connected({ Client: client.key })).toBe(false);
    expect(eventsOf(await env.app.events(), client.key)).toEqual(['open:', 'close:WrongSequenceNumber']);
    expect(await client.send({ text: 'late', n: 0 })).toEqual({ Err: WsErrorMessage.ClientNotConnected });
  });

  it('a service message other than a keep-alive closes with InvalidServiceMessage', async () => {
    const client = await env.client();
    await client.open(gateway.principal);
    expect(await client.sendService({ OpenMessage: { client_key: client.key } })).toEqual({ Err: WsErrorMessage.InvalidServiceMessage });
    const messages = (await gateway.pollAll()).filter((m) => clientId(m.clientKey) === clientId(client.key));
    expect(messages.at(-1)?.service).toEqual({ CloseMessage: { reason: { InvalidServiceMessage: null } } });
  });

  it('content that is not the app type is refused, and the connection stays open', async () => {
    const client = await env.client();
    await client.open(gateway.principal);
    expect(await client.sendContent(false, Uint8Array.of(1, 2, 3))).toEqual({ Err: WsErrorMessage.InvalidAppMessage });
    expect(await client.send({ text: 'still here', n: 1 })).toEqual({ Ok: null });
    const messages = (await gateway.pollAll()).filter((m) => clientId(m.clientKey) === clientId(client.key));
    expect(messages.at(-1)?.app).toEqual({ text: 'echo: still here', n: 1 });
  });

  it('a handler that throws does not desynchronize: the next messages are accepted, the client is told which failed and why', async () => {
    const client = await env.client();
    await client.open(gateway.principal);
    const outbox = new Uint8Array(16).fill(0x5a);
    expect(await client.send({ text: 'one', n: 1 }, { outbox, index: 1n })).toEqual({ Ok: null });
    expect(await client.send({ text: 'throw', n: 2 }, { outbox, index: 2n })).toEqual({ Err: WsErrorMessage.HandlerFailed });
    // On the IC a trap would have rolled the sequence number back and this one would close the connection.
    expect(await client.send({ text: 'three', n: 3 }, { outbox, index: 3n })).toEqual({ Ok: null });
    expect(await client.send({ text: 'four', n: 4 })).toEqual({ Ok: null });
    expect(await env.app.is_connected({ Client: client.key })).toBe(true);

    const messages = (await gateway.pollAll()).filter((m) => clientId(m.clientKey) === clientId(client.key));
    const receipts = messages.flatMap((m) => (m.service !== undefined && 'ReceiptMessage' in m.service ? [m.service.ReceiptMessage] : []));
    expect(receipts).toEqual([
      { sequence_num: 1n, outcome: { Delivered: null } },
      { sequence_num: 2n, outcome: { Failed: 'the handler refused message n=2' } },
      { sequence_num: 3n, outcome: { Delivered: null } },
    ]);
    expect(messages.flatMap((m) => (m.app === undefined ? [] : [(m.app as { text: string }).text]))).toEqual(['echo: one', 'echo: three', 'echo: four']);
    // Nothing the handler did before it threw was rolled back (its event log kept the entry).
    expect(eventsOf(await env.app.events(), client.key)).toEqual(['open:', 'message:one', 'message:throw', 'message:three', 'message:four']);
  });

  it('ws_open refuses a key in use and an anonymous gateway; ws_message refuses another principal\'s key', async () => {
    const client = await env.client();
    expect(await client.open(gateway.principal)).toEqual({ Ok: null });
    expect(await client.open(gateway.principal)).toEqual({ Err: WsErrorMessage.ClientKeyInUse });
    const other = await env.client();
    expect(await other.open(Principal.anonymous())).toEqual({ Err: WsErrorMessage.AnonymousGateway });
    const impostor = await env.client({ clientNonce: client.clientNonce });
    const forged = await impostor.actor.ws_message(
      { msg: { client_key: client.key, sequence_num: 1n, timestamp: 0n, is_service_message: false, content: new Uint8Array() }, message_id: [] },
      [],
    );
    expect(forged).toEqual({ Err: WsErrorMessage.CallerNotClient });
    await gateway.pollAll();
  });
});

describe('closing', () => {
  it('the app closes a client: CloseMessage{ClosedByApplication}, onClose, and a second close is refused', async () => {
    const client = await env.client();
    await client.open(gateway.principal);
    expect(await env.app.close({ Client: client.key })).toEqual({ Ok: null });
    const messages = (await gateway.pollAll()).filter((m) => clientId(m.clientKey) === clientId(client.key));
    expect(messages.map((m) => m.service)).toEqual([
      { OpenMessage: { client_key: client.key, extensions: [['receipts']] } },
      { CloseMessage: { reason: { ClosedByApplication: null } } },
    ]);
    expect(eventsOf(await env.app.events(), client.key)).toEqual(['open:', 'close:ClosedByApplication']);
    expect(await env.app.close({ Client: client.key })).toEqual({ Err: expect.stringMatching(new RegExp(`^${ErrorCode.ClientNotConnected}: `)) });
  });

  it('two connections of one principal are independent: closing one through ws_close keeps the other', async () => {
    const identity = Ed25519KeyIdentity.generate();
    const tab1 = await env.client({ identity, clientNonce: 11n });
    const tab2 = await env.client({ identity, clientNonce: 12n });
    await tab1.open(gateway.principal);
    await tab2.open(gateway.principal);
    expect(await gateway.close(tab1.key)).toEqual({ Ok: null });
    expect(await env.app.is_connected({ Client: tab1.key })).toBe(false);
    expect(await env.app.is_connected({ Client: tab2.key })).toBe(true);
    expect(await env.app.is_connected({ Principal: identity.getPrincipal() })).toBe(true);
    expect(await tab2.send({ text: 'tab 2 lives', n: 2 })).toEqual({ Ok: null });
    expect(await tab1.send({ text: 'tab 1 is gone', n: 1 })).toEqual({ Err: WsErrorMessage.ClientNotConnected });
    const messages = await gateway.pollAll();
    // ws_close sends the client nothing (its socket is already gone).
    expect(messages.filter((m) => clientId(m.clientKey) === clientId(tab1.key)).map((m) => Object.keys(m.service ?? {})[0])).toEqual(['OpenMessage']);
    expect(messages.filter((m) => clientId(m.clientKey) === clientId(tab2.key)).at(-1)?.app).toEqual({ text: 'echo: tab 2 lives', n: 2 });
    expect(eventsOf(await env.app.events(), tab1.key)).toEqual(['open:', 'close:ClosedByGateway']);
  });
});

describe('two gateways', () => {
  it('each gateway gets only its own clients\' messages, under its own nonces from 0, and may close only its own', async () => {
    const second = await env.gateway();
    const a = await env.client();
    const b = await env.client();
    await a.open(gateway.principal);
    await b.open(second.principal);
    await a.send({ text: 'via first', n: 1 });
    await b.send({ text: 'via second', n: 2 });

    const fromSecond = await second.pollAll();
    expect(fromSecond.map((m) => m.nonce)).toEqual([0n, 1n]);
    expect(fromSecond.every((m) => clientId(m.clientKey) === clientId(b.key))).toBe(true);
    expect(fromSecond[1]?.app).toEqual({ text: 'echo: via second', n: 2 });
    const fromFirst = await gateway.pollAll();
    expect(fromFirst.some((m) => clientId(m.clientKey) === clientId(b.key))).toBe(false);
    expect(fromFirst.filter((m) => clientId(m.clientKey) === clientId(a.key))).toHaveLength(2);

    expect(await second.close(a.key)).toEqual({ Err: WsErrorMessage.CallerNotClientGateway });
    // A gateway that never registered (no presence call, no client).
    const stranger = await TestGateway.create(env.target);
    expect(await stranger.close(a.key)).toEqual({ Err: WsErrorMessage.GatewayNotRegistered });
    expect(await stranger.pollAll()).toEqual([]);
    expect(await second.close(b.key)).toEqual({ Ok: null });
  });
});

describe('polling', () => {
  it('resumes at any nonce: each poll starts exactly there and returns the same certified bytes', async () => {
    const client = await env.client();
    await client.open(gateway.principal);
    await env.app.send_many({ Client: client.key }, 12, 10);
    const all = await gateway.pollAll();
    const first = all[0]!.nonce;
    const replies = await Promise.all(all.map((m) => gateway.getMessages(m.nonce)));
    for (const [i, reply] of replies.entries()) {
      if (!('Ok' in reply)) throw new Error(`Err at ${i}`);
      const verifier = new ClientVerifier({ ...env.target, gateway: gateway.principal, sequenceFrom: 'first-seen' });
      const messages = await verifier.verifyBatch(reply.Ok, first + BigInt(i));
      expect(messages[0]?.nonce).toBe(first + BigInt(i));
      const view = (list: typeof all) => list.map((m) => [m.key, m.sequenceNum, m.app ?? m.service]);
      expect(view(messages)).toEqual(view(all.slice(i, i + messages.length)));
    }
    const beyond = await gateway.getMessages(gateway.nextNonce + 5n);
    expect(beyond).toEqual({
      Ok: { messages: [], cert: new Uint8Array(), tree: new Uint8Array(), is_end_of_queue: true, next_nonce: [gateway.nextNonce] },
    });
  });
});
