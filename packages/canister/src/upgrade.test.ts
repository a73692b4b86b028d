import { IDL } from '@dfinity/candid';
import { describe, expect, it } from 'vitest';
import { MemoryStableStore } from './stable-store';
import { FakeCanisterHost } from './testing/fake-canister-host';
import { GATEWAY, idOf, principal, setup, type HandlerEvent } from './testing/ws-canister-harness';
import { createWsCanister, type IcWebSocketCanister } from './ws-canister';

const ACK = 300_000;

/** Simulates an upgrade: timers and heap die, a new instance starts over the same stable store. */
function upgrade(old: ReturnType<typeof setup>, store: MemoryStableStore, afterMs = 5_000) {
  old.ws.stop();
  old.host.dropTimers();
  const host = new FakeCanisterHost({ stableStore: store, nowNs: old.host.time() + BigInt(afterMs) * 1_000_000n });
  const events: HandlerEvent[] = [];
  const ws = createWsCanister<string>(host, {
    appMessageIdl: IDL.Text,
    onMessage: (client, message) => events.push({ type: 'message', client: idOf(client), message }),
    onClose: (client, reason) => events.push({ type: 'close', client: idOf(client), reason }),
  });
  ws.start();
  old.gateway.attach(ws as IcWebSocketCanister<unknown>, host);
  return { host, ws, events };
}

describe('upgrade', () => {
  it('keeps every connection, nonce and sequence number, and the certified data', () => {
    const store = new MemoryStableStore();
    const before = setup({}, store);
    const a = before.open(1, 1n);
    const b = before.open(2, 5n);
    before.sendText(a, 1n, 'a1');
    before.ws.send(a, 'to a');
    expect(before.gateway.pollAll()).toHaveLength(3);
    before.ws.send(b, 'pending for b'); // queued, not yet polled
    const certified = before.host.certifiedData;

    const after = upgrade(before, store);
    expect(after.host.certifiedData).toEqual(certified);
    expect(after.ws.clients().map(idOf).sort()).toEqual([idOf(a), idOf(b)].sort());

    // The queued message is served and verifies against the new instance's certified data.
    const pending = before.gateway.pollAll();
    expect(pending.map((m) => [m.nonce, m.sequenceNum, m.app])).toEqual([[3n, 2n, 'pending for b']]);

    // Incoming sequence numbers continue: a's next is 2, and 1 would be a replay.
    expect(after.ws.wsMessage({ msg: msg(a, 2n, 'a2') }, a.client_principal)).toEqual({ Ok: null });
    expect(after.events).toEqual([{ type: 'message', client: idOf(a), message: 'a2' }]);

    // Outgoing sequence numbers and nonces continue.
    after.ws.send(a, 'after upgrade');
    expect(before.gateway.pollAll().map((m) => [m.nonce, m.sequenceNum])).toEqual([[4n, 3n]]);
  });

  it('resumes the ack schedule where it was, not a full interval after the upgrade', () => {
    const store = new MemoryStableStore();
    const before = setup({}, store);
    const a = before.open(1);
    before.gateway.pollAll();
    before.host.advance(ACK - 100_000);
    const after = upgrade(before, store, 50_000);
    after.host.advance(50_000 - 1);
    expect(before.gateway.pollAll()).toEqual([]);
    after.host.advance(1);
    expect(before.gateway.pollAll().map((m) => [idOf(m.clientKey), m.service])).toEqual([
      [idOf(a), { AckMessage: { last_incoming_sequence_num: 0n } }],
    ]);
  });

  it('runs a keep-alive check that was pending at the upgrade', () => {
    const store = new MemoryStableStore();
    const before = setup({}, store);
    const silent = before.open(1);
    before.host.advance(ACK + 10_000); // ack sent; check due at ACK + 60 s
    const after = upgrade(before, store, 10_000);
    expect(after.ws.isConnected(silent)).toBe(true);
    after.host.advance(40_000);
    expect(after.ws.isConnected(silent)).toBe(false);
    expect(after.events).toContainEqual({ type: 'close', client: idOf(silent), reason: 'KeepAliveTimeout' });
  });

  it('keeps the opening order of connections for replacement', () => {
    const store = new MemoryStableStore();
    const before = setup({ maxConnectionsPerPrincipal: 2 }, store);
    const first = before.open(1, 10n);
    const second = before.open(1, 3n);
    before.ws.stop();
    before.host.dropTimers();
    const host = new FakeCanisterHost({ stableStore: store, nowNs: before.host.time() });
    const ws = createWsCanister<string>(host, { appMessageIdl: IDL.Text, maxConnectionsPerPrincipal: 2 });
    ws.start();
    expect(ws.wsOpen({ client_nonce: 4n, gateway_principal: GATEWAY }, principal(1))).toEqual({ Ok: null });
    expect(ws.connectionsOf(principal(1)).map(idOf)).toEqual([idOf(second), `${principal(1).toText()}:4`]);
    expect(ws.isConnected(first)).toBe(false);
  });
});

function msg(key: { client_principal: ReturnType<typeof principal>; client_nonce: bigint }, seq: bigint, text: string) {
  return { client_key: key, sequence_num: seq, timestamp: 1n, is_service_message: false, content: IDL.encode([IDL.Text], [text]) };
}
