import { describe, expect, it } from 'vitest';
import { GATEWAY, idOf, principal, setup } from './testing/ws-canister-harness';

const ACK = 300_000;

describe('upgrade', () => {
  it('keeps every connection, nonce and sequence number, and the certified data', () => {
    const h = setup();
    const a = h.open(1, 1n);
    const b = h.open(2, 5n);
    h.sendText(a, 1n, 'a1');
    h.ws.send(a, 'to a');
    expect(h.gateway.pollAll()).toHaveLength(3);
    h.ws.send(b, 'pending for b'); // queued, not yet polled
    const certified = h.host.certifiedData;
    const oldHost = h.host;

    h.upgrade();
    expect(h.host).not.toBe(oldHost);
    expect(h.host.certifiedData).toEqual(certified);
    expect(h.ws.clients().map(idOf).sort()).toEqual([idOf(a), idOf(b)].sort());

    // The queued message is served and verifies against the new instance's certified data.
    expect(h.gateway.pollAll().map((m) => [m.nonce, m.sequenceNum, m.app])).toEqual([[3n, 2n, 'pending for b']]);

    // Incoming sequence numbers continue: a's next is 2, and 1 would be a replay.
    expect(h.sendText(a, 2n, 'a2')).toEqual({ Ok: null });
    expect(h.events.at(-1)).toEqual({ type: 'message', client: idOf(a), message: 'a2' });

    // Outgoing sequence numbers and nonces continue.
    h.ws.send(a, 'after upgrade');
    expect(h.gateway.pollAll().map((m) => [m.nonce, m.sequenceNum])).toEqual([[4n, 3n]]);
  });

  it('rejects a replayed sequence number after the upgrade', () => {
    const h = setup();
    const a = h.open(1);
    h.sendText(a, 1n, 'one');
    h.upgrade();
    expect('Err' in h.sendText(a, 1n, 'replay')).toBe(true);
    expect(h.ws.isConnected(a)).toBe(false);
  });

  it('resumes the ack schedule where it was, not a full interval after the upgrade', () => {
    const h = setup();
    const a = h.open(1);
    h.gateway.pollAll();
    h.host.advance(ACK - 100_000);
    h.upgrade(50_000);
    h.host.advance(50_000 - 1);
    expect(h.gateway.pollAll()).toEqual([]);
    h.host.advance(1);
    expect(h.gateway.pollAll().map((m) => [idOf(m.clientKey), m.service])).toEqual([
      [idOf(a), { AckMessage: { last_incoming_sequence_num: 0n } }],
    ]);
  });

  it('runs a keep-alive check that was pending at the upgrade', () => {
    const h = setup();
    const silent = h.open(1);
    h.host.advance(ACK + 10_000); // ack sent; check due at ACK + 60 s
    h.upgrade(10_000);
    expect(h.ws.isConnected(silent)).toBe(true);
    h.host.advance(40_000);
    expect(h.ws.isConnected(silent)).toBe(false);
    expect(h.events).toContainEqual({ type: 'close', client: idOf(silent), reason: 'KeepAliveTimeout' });
  });

  it('keeps the opening order of connections for replacement', () => {
    const h = setup({ maxConnectionsPerPrincipal: 2 });
    const first = h.open(1, 10n);
    const second = h.open(1, 3n);
    h.upgrade();
    expect(h.ws.wsOpen({ client_nonce: 4n, gateway_principal: GATEWAY }, principal(1))).toEqual({ Ok: null });
    expect(h.ws.connectionsOf(principal(1)).map(idOf)).toEqual([idOf(second), `${principal(1).toText()}:4`]);
    expect(h.ws.isConnected(first)).toBe(false);
  });

  it('finishes an ack round interrupted by the upgrade, each client acked exactly once', () => {
    const h = setup({ clientsPerExecution: 3 });
    const keys = Array.from({ length: 8 }, (_, i) => h.open(i + 1));
    h.gateway.pollAll();
    h.host.advance(ACK, 1);
    h.upgrade(1_000);
    h.host.advance(0);
    expect(h.gateway.pollAll().map((m) => idOf(m.clientKey)).sort()).toEqual(keys.map(idOf).sort());
  });

  it('finishes a keep-alive check interrupted by the upgrade', () => {
    const h = setup({ clientsPerExecution: 2 });
    for (let i = 1; i <= 5; i++) h.open(i);
    h.host.advance(ACK);
    h.host.advance(60_000, 1);
    expect(h.ws.clients()).toHaveLength(3);
    h.upgrade(1_000);
    h.host.advance(0);
    expect(h.ws.clients()).toHaveLength(0);
  });
});
