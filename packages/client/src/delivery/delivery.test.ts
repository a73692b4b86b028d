/**
 * Delivery states of `send` through a fake gateway (a real `ws` server and certified messages the client
 * verifies for real): receipts, ack rounds, the ack timeout, re-sends with the same message id, the persistent
 * outbox across a "reload" (a second IcWebSocket over the same storage), and what close() reports.
 */
import { IDL } from '@dfinity/candid';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { Principal } from '@dfinity/principal';
import { CloseCode, ErrorCode } from 'ic-ws-protocol';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { nextEvent } from '../../tests/support/async-queue';
import { createTestSubnet, type TestSubnet } from '../../tests/support/fake-canister';
import { FakeGateway, type FakeGatewayOptions, type FakeGatewaySession } from '../../tests/support/fake-gateway';
import { ManualTimers } from '../../tests/support/manual-timers';
import { MemoryStorage } from '../../tests/support/memory-storage';
import type { IcWsCloseEvent, IcWsDeliveryEvent, IcWsErrorEvent, IcWsStateChangeEvent } from '../events';
import { IcWebSocket } from '../ic-websocket';
import type { IcWebSocketOptions } from '../ic-websocket-options';
import { localStorageOutboxStore } from './local-storage-outbox-store';
import type { DeliveryState, OutgoingMessage } from './outgoing-message';

const canisterId = Principal.fromText('bkyz2-fmaaa-aaaaa-qaaaq-cai');
const identity = Ed25519KeyIdentity.generate();
const Chat = IDL.Text;

let subnet: TestSubnet;
beforeAll(() => {
  subnet = createTestSubnet();
});

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function gateway(options: Partial<FakeGatewayOptions> = {}): Promise<FakeGateway> {
  const started = await FakeGateway.start({ subnet, canisterId, appIdl: Chat, receipts: true, ...options });
  cleanups.push(() => started.stop());
  return started;
}

function client(gatewayUrl: string | string[], options: Partial<IcWebSocketOptions<string>> = {}) {
  const timers = options.timers instanceof ManualTimers ? options.timers : new ManualTimers();
  const ws = new IcWebSocket<string>({
    gatewayUrl,
    canisterId,
    identity,
    appMessageIdl: Chat,
    rootKey: subnet.rootKey,
    reconnect: false,
    ...options,
    timers,
  });
  const deliveries: string[] = [];
  ws.addEventListener('delivery', (event) => deliveries.push(`${event.message.data}:${event.state}`));
  cleanups.push(() => ws.close());
  return { ws, timers, deliveries };
}

async function openSession(gw: FakeGateway, ws: IcWebSocket<string>): Promise<FakeGatewaySession> {
  const session = await gw.sessions.next();
  const opened = nextEvent(ws, 'open');
  await session.open();
  await opened;
  return session;
}

/** Resolves once `message` is in `state` (at once if it already is). */
function reached(ws: IcWebSocket<string>, message: OutgoingMessage<string>, state: DeliveryState): Promise<void> {
  if (message.state === state) return Promise.resolve();
  return delivery(ws, message.data, state).then(() => undefined);
}

/** Resolves once `ws` fired a delivery event for `text` reaching `state`. */
function delivery(ws: IcWebSocket<string>, text: string, state: string): Promise<IcWsDeliveryEvent<string>> {
  return new Promise((resolve) => {
    const listener = (event: IcWsDeliveryEvent<string>) => {
      if (event.message.data === text && event.state === state) {
        ws.removeEventListener('delivery', listener);
        resolve(event);
      }
    };
    ws.addEventListener('delivery', listener);
  });
}

describe('delivery states with a canister that sends receipts', () => {
  it('goes queued -> relayed -> acknowledged, as events and as a promise', async () => {
    const gw = await gateway();
    const { ws, deliveries } = client(gw.url);
    const message = ws.send('hello');
    expect(message.state).toBe('queued');
    expect(ws.outgoing).toEqual([message]);
    const session = await openSession(gw, ws);
    const sent = await session.nextMessage();
    expect(sent.messageId?.index).toBe(1n);
    expect(`${Buffer.from(sent.messageId!.outbox).toString('hex')}:1`).toBe(message.id);
    await reached(ws, message, 'relayed');
    session.sendReceipt(sent.sequence_num);
    await message.acknowledged;
    expect(message.state).toBe('acknowledged');
    expect(deliveries).toEqual(['hello:queued', 'hello:relayed', 'hello:acknowledged']);
    expect(ws.outgoing).toEqual([]);
    expect(ws.receipts).toBe(true);
  });

  it('reports a message the canister failed, naming it and the reason, and keeps the connection', async () => {
    const gw = await gateway();
    const { ws } = client(gw.url);
    const session = await openSession(gw, ws);
    const bad = ws.send('bad');
    const good = ws.send('good');
    const first = await session.nextMessage();
    const second = await session.nextMessage();
    await reached(ws, good, 'relayed');
    session.sendReceipt(first.sequence_num, { Failed: 'nickname already taken' });
    session.sendReceipt(second.sequence_num, { Delivered: null });
    await expect(bad.acknowledged).rejects.toMatchObject({ code: ErrorCode.MessageFailed, message: `the canister failed message ${first.sequence_num}: nickname already taken` });
    await good.acknowledged;
    expect(bad.error?.code).toBe(ErrorCode.MessageFailed);
    expect(ws.readyState).toBe(IcWebSocket.OPEN);
  });

  it('takes a Duplicate receipt as acknowledged', async () => {
    const gw = await gateway();
    const { ws } = client(gw.url);
    const session = await openSession(gw, ws);
    const message = ws.send('again');
    const sent = await session.nextMessage();
    await reached(ws, message, 'relayed');
    session.sendReceipt(sent.sequence_num, { Duplicate: null });
    await message.acknowledged;
  });

  it('detects a gateway that drops messages within ackTimeoutMs and re-sends on a new connection with the same id', async () => {
    const first = await gateway();
    const second = await gateway();
    const { ws, timers, deliveries } = client([first.url, second.url], { reconnect: true, ackTimeoutMs: 5_000 });
    const dropping = await openSession(first, ws);
    const message = ws.send('important');
    const dropped = await dropping.nextMessage();
    await reached(ws, message, 'relayed');
    const reconnecting = nextEvent<IcWsStateChangeEvent>(ws, 'statechange');
    timers.advance(4_999);
    expect(ws.readyState).toBe(IcWebSocket.OPEN);
    timers.advance(1);
    const change = await reconnecting;
    expect(change.state).toBe('reconnecting');
    expect(change.failure).toMatchObject({ kind: 'timeout', code: CloseCode.AckTimeout, gatewayUrl: first.url });
    expect(message.state).toBe('queued');
    expect((await dropping.closed).code).toBe(CloseCode.AckTimeout);

    timers.advance(change.reconnect!.delayMs);
    const session = await openSession(second, ws);
    const resent = await session.nextMessage();
    expect(resent.messageId).toEqual(dropped.messageId);
    expect(IDL.decode([Chat], resent.content)).toEqual(['important']);
    session.sendReceipt(resent.sequence_num, { Duplicate: null });
    await message.acknowledged;
    expect(deliveries).toEqual(['important:queued', 'important:relayed', 'important:queued', 'important:relayed', 'important:acknowledged']);
  });

  it('leaves an idle connection to the ack rounds: no timeout without a message on the way', async () => {
    const gw = await gateway();
    const { ws, timers } = client(gw.url, { ackTimeoutMs: 5_000 });
    await openSession(gw, ws);
    timers.advance(60_000);
    expect(ws.readyState).toBe(IcWebSocket.OPEN);
  });
});

describe('delivery states with a canister without receipts (the public library)', () => {
  it('sends no message id and is acknowledged by the ack round', async () => {
    const gw = await gateway({ receipts: false });
    const { ws, timers } = client(gw.url, { ackTimeoutMs: 5_000 });
    const session = await openSession(gw, ws);
    const message = ws.send('plain');
    const sent = await session.nextMessage();
    expect(sent.messageId).toBeUndefined();
    await reached(ws, message, 'relayed');
    // No receipt comes, and that is not a failure here: only the ack round tells.
    timers.advance(10_000);
    expect(message.state).toBe('relayed');
    session.sendService({ AckMessage: { last_incoming_sequence_num: sent.sequence_num } });
    await message.acknowledged;
    expect(ws.receipts).toBe(false);
  });

  it('reports relayed messages DELIVERY_UNCONFIRMED when the connection fails, and re-sends the unsent ones', async () => {
    const first = await gateway({ receipts: false });
    const second = await gateway({ receipts: false });
    const { ws, timers } = client([first.url, second.url], { reconnect: true });
    const session = await openSession(first, ws);
    const relayed = ws.send('on its way');
    await session.nextMessage();
    await reached(ws, relayed, 'relayed');
    const reconnecting = nextEvent<IcWsStateChangeEvent>(ws, 'statechange');
    session.socket.close(4005, 'relay failed');
    const change = await reconnecting;
    expect(change.failure).toMatchObject({ kind: 'gateway-closed', code: 4005 });
    await expect(relayed.acknowledged).rejects.toMatchObject({ code: ErrorCode.DeliveryUnconfirmed });
    const later = ws.send('while away');
    timers.advance(change.reconnect!.delayMs);
    const next = await openSession(second, ws);
    expect(IDL.decode([Chat], (await next.nextMessage()).content)).toEqual(['while away']);
    expect(later.state).toBe('relayed');
  });
});

describe('the persistent outbox', () => {
  it('re-sends after a reload what was never acknowledged, with its id, and forgets it once acknowledged', async () => {
    const storage = new MemoryStorage();
    const outbox = localStorageOutboxStore({ storage });
    const down = await gateway();
    const deadUrl = down.url;
    await down.stop();
    // Sent while the gateway is down; then the page reloads (the first instance is simply abandoned).
    const before = client(deadUrl, { outbox });
    const original = before.ws.send('survives a reload');
    expect(storage.entries.size).toBe(1);

    const gw = await gateway();
    const after = client(gw.url, { outbox });
    const restored = await delivery(after.ws, 'survives a reload', 'queued');
    expect(restored.previous).toBeUndefined();
    expect(restored.message).toMatchObject({ id: original.id, restored: true, data: 'survives a reload' });
    expect(after.ws.outgoing.map((m) => m.id)).toEqual([original.id]);
    const session = await openSession(gw, after.ws);
    const sent = await session.nextMessage();
    expect(`${Buffer.from(sent.messageId!.outbox).toString('hex')}:${sent.messageId!.index}`).toBe(original.id);
    await reached(after.ws, restored.message, 'relayed');
    session.sendReceipt(sent.sequence_num);
    await restored.message.acknowledged;
    expect(storage.entries.size).toBe(0);
  });

  it('reports a stored message older than outboxMaxAgeMs failed instead of re-sending it', async () => {
    const storage = new MemoryStorage();
    const outbox = localStorageOutboxStore({ storage });
    const down = await gateway();
    const deadUrl = down.url;
    await down.stop();
    client(deadUrl, { outbox }).ws.send('stale');
    const [key, value] = [...storage.entries][0]!;
    storage.entries.set(key, value.replace(/"createdAtMs":\d+/, `"createdAtMs":${Date.now() - 7_200_000}`));
    const gw = await gateway();
    const { ws } = client(gw.url, { outbox });
    const event = await delivery(ws, 'stale', 'failed');
    expect(event.message.error?.code).toBe(ErrorCode.NotSent);
    expect(storage.entries.size).toBe(0);
    expect(ws.outgoing).toEqual([]);
  });

  it('after a reload, reports a message that reached a gateway DELIVERY_UNCONFIRMED when the canister drops no duplicates', async () => {
    const storage = new MemoryStorage();
    const outbox = localStorageOutboxStore({ storage });
    const first = await gateway({ receipts: false });
    const before = client(first.url, { outbox });
    const session = await openSession(first, before.ws);
    const maybe = before.ws.send('maybe arrived');
    await session.nextMessage();
    await reached(before.ws, maybe, 'relayed');

    const second = await gateway({ receipts: false });
    const after = client(second.url, { outbox });
    const failed = delivery(after.ws, 'maybe arrived', 'failed');
    await openSession(second, after.ws);
    expect((await failed).message.error?.code).toBe(ErrorCode.DeliveryUnconfirmed);
    expect(storage.entries.size).toBe(0);
  });

  it('carries on in memory, with an error event, when the storage fails', async () => {
    const storage = new MemoryStorage();
    storage.failWith = new Error('QuotaExceededError');
    const gw = await gateway();
    const { ws } = client(gw.url, { outbox: localStorageOutboxStore({ storage }) });
    const errors: IcWsErrorEvent[] = [];
    ws.addEventListener('error', (event) => errors.push(event));
    const message = ws.send('in memory');
    expect(errors.map((e) => e.error.code)).toEqual([ErrorCode.OutboxStorageFailed]);
    const session = await openSession(gw, ws);
    const sent = await session.nextMessage();
    await reached(ws, message, 'relayed');
    session.sendReceipt(sent.sequence_num);
    await message.acknowledged;
  });
});

describe('close()', () => {
  it('fails what is not acknowledged: NOT_SENT if it never left, DELIVERY_UNCONFIRMED if it did', async () => {
    const gw = await gateway();
    const { ws } = client(gw.url);
    const session = await openSession(gw, ws);
    const relayed = ws.send('relayed');
    await session.nextMessage();
    await reached(ws, relayed, 'relayed');
    const closeEvent = nextEvent<IcWsCloseEvent>(ws, 'close');
    ws.close();
    await closeEvent;
    await expect(relayed.acknowledged).rejects.toMatchObject({ code: ErrorCode.DeliveryUnconfirmed });
    const down = await gateway();
    const deadUrl = down.url;
    await down.stop();
    const other = client(deadUrl);
    const unsent = other.ws.send('unsent');
    other.ws.close();
    await expect(unsent.acknowledged).rejects.toMatchObject({ code: ErrorCode.NotSent });
  });

  it('leaves stored messages in the persistent outbox for the next connection', async () => {
    const storage = new MemoryStorage();
    const down = await gateway();
    const deadUrl = down.url;
    await down.stop();
    const { ws } = client(deadUrl, { outbox: localStorageOutboxStore({ storage }) });
    const message = ws.send('keep me');
    ws.close();
    await expect(message.acknowledged).rejects.toMatchObject({ code: ErrorCode.NotSent, message: expect.stringMatching(/stays in the persistent outbox/) });
    expect(storage.entries.size).toBe(1);
  });
});

describe('reconnect reasons', () => {
  it('tells an unreachable gateway from one that closed the connection, and from a failed verification', async () => {
    const down = await gateway();
    const deadUrl = down.url;
    await down.stop();
    const unreachable = client(deadUrl, { reconnect: true });
    const change = await nextEvent<IcWsStateChangeEvent>(unreachable.ws, 'statechange');
    expect(change.failure).toMatchObject({ kind: 'gateway-unreachable', gatewayUrl: deadUrl });
    expect(unreachable.ws.lastFailure?.kind).toBe('gateway-unreachable');

    const gw = await gateway();
    const tampered = client(gw.url, { reconnect: true });
    const session = await openSession(gw, tampered.ws);
    const [frame] = session.certifyApp(['pay alice 10']);
    const content = frame!.content.slice();
    content[content.length - 2]! ^= 0x04;
    const failed = nextEvent<IcWsStateChangeEvent>(tampered.ws, 'statechange');
    session.sendFrames([{ ...frame!, content }]);
    expect((await failed).failure).toMatchObject({ kind: 'verification-failed', code: CloseCode.WitnessInvalid });
  });

  it('puts the failure on the closed state when the client does not reconnect', async () => {
    const gw = await gateway();
    const { ws } = client(gw.url);
    const session = await openSession(gw, ws);
    const closed = new Promise<IcWsStateChangeEvent>((resolve) => ws.addEventListener('statechange', (e) => e.state === 'closed' && resolve(e)));
    session.socket.close(1001, 'going away');
    expect((await closed).failure).toMatchObject({ kind: 'gateway-closed', code: 1001, reason: expect.stringContaining('going away') });
  });
});
