import { IDL } from '@dfinity/candid';
import { describe, expect, it } from 'vitest';
import { MemoryStableStore } from './stable-store';
import { FakePollingGateway } from './testing/fake-polling-gateway';
import { GATEWAY, idOf, principal, setup } from './testing/ws-canister-harness';

const ACK = 300_000;
const KEEP_ALIVE = 60_000;

describe('acks and keep-alives', () => {
  it('sends every client AckMessage{last_incoming_sequence_num} every sendAckIntervalMs', () => {
    const { host, gateway, open, sendText } = setup();
    const a = open(1);
    const b = open(2);
    sendText(a, 1n, 'x');
    sendText(a, 2n, 'y');
    gateway.pollAll();
    host.advance(ACK - 1);
    expect(gateway.pollAll()).toEqual([]);
    host.advance(1);
    const acks = gateway.pollAll().map((m) => [idOf(m.clientKey), m.service]);
    acks.sort((x, y) => (x[0] === idOf(a) ? -1 : y[0] === idOf(a) ? 1 : 0));
    expect(acks).toEqual([
      [idOf(a), { AckMessage: { last_incoming_sequence_num: 2n } }],
      [idOf(b), { AckMessage: { last_incoming_sequence_num: 0n } }],
    ]);
  });

  it('closes clients that do not answer an ack within keepAliveTimeoutMs, and keeps those that do', () => {
    const { host, ws, gateway, events, open, sendService } = setup();
    const silent = open(1);
    const alive = open(2);
    gateway.pollAll();
    host.advance(ACK);
    host.advance(KEEP_ALIVE / 2);
    expect(sendService(alive, 1n, { KeepAliveMessage: { last_incoming_sequence_num: 2n } })).toEqual({ Ok: null });
    host.advance(KEEP_ALIVE / 2 - 1);
    expect(ws.isConnected(silent)).toBe(true); // the check has not run yet
    host.advance(1);
    expect(ws.isConnected(silent)).toBe(false);
    expect(ws.isConnected(alive)).toBe(true);
    expect(events).toContainEqual({ type: 'close', client: idOf(silent), reason: 'KeepAliveTimeout' });
    const closes = gateway.pollAll().filter((m) => m.service && 'CloseMessage' in m.service);
    expect(closes.map((m) => [idOf(m.clientKey), m.service])).toEqual([
      [idOf(silent), { CloseMessage: { reason: { KeepAliveTimeout: null } } }],
    ]);
    // A keep-alive counts for one round only: silent through the next round, the client is closed.
    host.advance(ACK);
    expect(ws.isConnected(alive)).toBe(false);
  });

  it('closes a silent client at the first check after an ack', () => {
    const { host, ws, events, open } = setup();
    const silent = open(1);
    host.advance(10_000);
    host.advance(ACK - 10_000 + KEEP_ALIVE - 1);
    expect(ws.isConnected(silent)).toBe(true);
    host.advance(1);
    // Opened 10 s before the ack round started and never answered: silent for more than the timeout.
    expect(ws.isConnected(silent)).toBe(false);
    expect(events.at(-1)).toEqual({ type: 'close', client: idOf(silent), reason: 'KeepAliveTimeout' });
  });

  it('does not close a client that connected after the ack was sent', () => {
    const { host, ws, open } = setup();
    host.advance(ACK);
    host.advance(KEEP_ALIVE / 2);
    const late = open(1);
    host.advance(KEEP_ALIVE / 2);
    expect(ws.isConnected(late)).toBe(true);
  });

  it('sets certified data once per ack round, not once per client', () => {
    const { host, open } = setup();
    for (let i = 1; i <= 20; i++) open(i);
    const before = host.certifiedDataHistory.length;
    host.advance(ACK);
    expect(host.certifiedDataHistory.length).toBe(before + 1);
  });
});

describe('clean-up', () => {
  it('prunes messages older than one ack interval as new ones arrive, in batches, and from the certified map', () => {
    const { host, ws, open } = setup();
    const gateway = new FakePollingGateway(GATEWAY, ws, host, IDL.Text, false);
    const key = open(1);
    ws.send(key, 'old');
    host.advance(ACK / 2);
    ws.send(key, 'recent');
    host.advance(ACK / 2);
    ws.send(key, 'new'); // the ack round at ACK queued an AckMessage too
    host.advance(1);
    ws.send(key, 'kept'); // open and 'old' are now older than one interval, but not by a sixteenth more: kept
    expect(new FakePollingGateway(GATEWAY, ws, host, IDL.Text, false).pollAll()[0]?.nonce).toBe(0n);
    host.advance(ACK / 16);
    ws.send(key, 'newer'); // open and 'old' are older than 17/16 intervals: every message older than one goes
    const messages = gateway.pollAll();
    // The gateway asked for nonce 0; the queue now starts later, at the oldest kept message.
    expect(messages[0]?.nonce).toBe(2n);
    expect(messages.map((m) => m.app ?? Object.keys(m.service ?? {})[0])).toEqual(['recent', 'AckMessage', 'new', 'kept', 'newer']);
  });

  it('keeps messages at least one ack interval', () => {
    const { host, ws, gateway, open } = setup();
    const key = open(1);
    host.advance(ACK - 1);
    ws.send(key, 'x');
    expect(gateway.pollAll()[0]?.nonce).toBe(0n);
  });

  it('forgets a gateway one ack interval after its last client left, and restarts its nonces', () => {
    const { host, ws, open } = setup();
    const key = open(1);
    ws.wsClose({ client_key: key }, GATEWAY);
    host.advance(ACK); // round 1: empty for less than an interval... exactly one interval: forgotten
    expect(ws.wsClose({ client_key: key }, GATEWAY)).toEqual({ Err: 'ws_close: the caller is not a registered gateway' });
    open(2);
    const fresh = new FakePollingGateway(GATEWAY, ws, host);
    expect(fresh.pollAll().map((m) => m.nonce)).toEqual([0n]);
  });

  it('keeps a gateway that still has clients or lost them less than an interval ago', () => {
    const { host, ws, gateway, open } = setup();
    const a = open(1);
    open(2, 1n, principal(2, 'gateway'));
    host.advance(ACK / 2);
    ws.wsClose({ client_key: a }, GATEWAY);
    host.advance(ACK / 2); // round: GATEWAY empty for half an interval only
    open(3);
    expect(gateway.pollAll().at(-1)?.nonce).toBeGreaterThan(0n);
  });

  it('leaves nothing in stable storage once every client is gone for two intervals', () => {
    const store = new MemoryStableStore();
    const { host, ws, open } = setup({}, store);
    const a = open(1);
    open(2, 1n, principal(2, 'gateway'));
    ws.send(a, 'x');
    ws.wsClose({ client_key: a }, GATEWAY);
    ws.close(principal(2));
    expect(store.size('messages')).toBeGreaterThan(0);
    host.advance(2 * ACK);
    expect([store.size('clients'), store.size('gateways'), store.size('messages')]).toEqual([0, 0, 0]);
  });
});


describe('ack rounds over many clients', () => {
  it('splits a round into executions of clientsPerExecution, one certified data set each', () => {
    const { host, gateway, open } = setup({ clientsPerExecution: 3 });
    const keys = Array.from({ length: 10 }, (_, i) => open(i + 1));
    gateway.pollAll();
    const before = host.certifiedDataHistory.length;
    host.advance(ACK, 1);
    const first = gateway.pollAll().map((m) => idOf(m.clientKey));
    expect(first).toHaveLength(3);
    host.advance(0);
    expect(host.certifiedDataHistory.length - before).toBe(4); // 3 + 3 + 3 + 1
    const rest = gateway.pollAll().map((m) => idOf(m.clientKey));
    expect([...first, ...rest].sort()).toEqual(keys.map(idOf).sort());
  });

  it('gives every client the full timeout after the last part of the round', () => {
    const { host, ws, open } = setup({ clientsPerExecution: 1 });
    open(1);
    open(2);
    host.timerLatencyMs = 5_000; // the ack timer is already armed on time; later timers run 5 s late
    host.advance(ACK); // part 1 at ACK, part 2 at ACK + 5 s
    // The check is armed by the last part: due 60 s after it, and run 5 s late.
    host.advance(5_000 + KEEP_ALIVE + 5_000 - 1);
    expect(ws.clients()).toHaveLength(2);
    host.advance(1);
    expect(ws.clients()).toHaveLength(1); // one close per execution; the next part runs 5 s later
    host.advance(5_000);
    expect(ws.clients()).toHaveLength(0);
  });

  it('closes silent clients across executions of clientsPerExecution, one certified data set each', () => {
    const { host, ws, open } = setup({ clientsPerExecution: 3 });
    for (let i = 1; i <= 7; i++) open(i);
    host.advance(ACK); // 3 parts of acks
    const before = host.certifiedDataHistory.length;
    host.advance(KEEP_ALIVE, 1);
    expect(ws.clients()).toHaveLength(4);
    host.advance(0);
    expect(ws.clients()).toHaveLength(0);
    expect(host.certifiedDataHistory.length - before).toBe(3); // 3 + 3 + 1 closes
  });
});

