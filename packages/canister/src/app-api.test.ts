import { describe, expect, it } from 'vitest';
import { MemoryStableStore } from './stable-store';
import { idOf, principal, setup } from './testing/ws-canister-harness';

const ACK = 300_000;

function texts(messages: { app?: unknown }[]): unknown[] {
  return messages.filter((m) => m.app !== undefined).map((m) => m.app);
}

describe('app API', () => {
  it('sends to one client key', () => {
    const { ws, gateway, open } = setup();
    const a = open(1, 1n);
    open(1, 2n);
    gateway.pollAll();
    ws.send(a, 'only a');
    const messages = gateway.pollAll();
    expect(messages.map((m) => [idOf(m.clientKey), m.app, m.sequenceNum])).toEqual([[idOf(a), 'only a', 2n]]);
  });

  it('sends to every connection of a principal', () => {
    const { ws, gateway, open } = setup();
    const a = open(1, 1n);
    const b = open(1, 2n);
    open(2);
    gateway.pollAll();
    ws.send(principal(1), 'both');
    expect(gateway.pollAll().map((m) => [idOf(m.clientKey), m.app])).toEqual([
      [idOf(a), 'both'],
      [idOf(b), 'both'],
    ]);
  });

  it('broadcasts to everyone and returns how many', () => {
    const { ws, gateway, open } = setup();
    expect(ws.broadcast('nobody')).toBe(0);
    open(1);
    open(2);
    open(3);
    gateway.pollAll();
    expect(ws.broadcast('all')).toBe(3);
    expect(texts(gateway.pollAll())).toEqual(['all', 'all', 'all']);
  });

  it('reports connections: clients, connectionsOf, isConnected', () => {
    const { ws, open } = setup();
    const a = open(1, 1n);
    const b = open(1, 2n);
    expect(ws.clients().map(idOf)).toEqual([idOf(a), idOf(b)]);
    expect(ws.isConnected(principal(1))).toBe(true);
    expect(ws.isConnected(principal(2))).toBe(false);
    expect(ws.isConnected({ client_principal: principal(1), client_nonce: 3n })).toBe(false);
    // Copies: changing a returned key changes nothing inside.
    const [first] = ws.clients();
    first!.client_nonce = 99n;
    expect(ws.isConnected(a)).toBe(true);
  });

  it('throws CLIENT_NOT_CONNECTED for an unknown target and queues nothing', () => {
    const { ws, gateway, open } = setup();
    open(1);
    gateway.pollAll();
    expect(() => ws.send(principal(2), 'x')).toThrow(expect.objectContaining({ name: 'CanisterError', code: 'CLIENT_NOT_CONNECTED' }));
    expect(() => ws.send({ client_principal: principal(1), client_nonce: 2n }, 'x')).toThrow(
      expect.objectContaining({ code: 'CLIENT_NOT_CONNECTED' }),
    );
    expect(gateway.pollAll()).toEqual([]);
  });

  it('throws CANDID_ENCODE for a message that is not of the app type and queues nothing', () => {
    const { ws, gateway, open } = setup();
    const key = open(1);
    gateway.pollAll();
    expect(() => ws.send(key, 42 as unknown as string)).toThrow(expect.objectContaining({ code: 'CANDID_ENCODE' }));
    expect(gateway.pollAll()).toEqual([]);
  });

  it('throws QUEUE_FULL at maxQueuedMessagesPerGateway, all or nothing, keeping what was queued', () => {
    const { host, ws, gateway, open } = setup({ maxQueuedMessagesPerGateway: 5 });
    const a = open(1);
    const b = open(2);
    ws.send(a, 'm1');
    ws.send(a, 'm2');
    // One slot left: a broadcast to two clients is refused as a whole.
    expect(() => ws.broadcast('both')).toThrow(expect.objectContaining({ name: 'CanisterError', code: 'QUEUE_FULL' }));
    ws.send(b, 'm3');
    expect(() => ws.send(b, 'm4')).toThrow(expect.objectContaining({ code: 'QUEUE_FULL' }));
    expect(texts(gateway.pollAll())).toEqual(['m1', 'm2', 'm3']);
    // Polled messages are still kept (the gateway may poll again); after one ack interval they are pruned.
    host.advance(ACK + 1);
    ws.send(b, 'm5');
    expect(texts(gateway.pollAll())).toEqual(['m5']);
  });

  it('sets certified data once per send outside an entry point, and once for a whole batch', () => {
    const { host, ws, open } = setup();
    const key = open(1);
    const start = host.certifiedDataHistory.length;
    ws.send(key, 'one');
    expect(host.certifiedDataHistory.length).toBe(start + 1);
    ws.batch(() => {
      for (let i = 0; i < 10; i++) ws.send(key, `n${i}`);
    });
    expect(host.certifiedDataHistory.length).toBe(start + 2);
  });

  it('lets onClose send to other clients during a close', () => {
    let ws!: ReturnType<typeof setup>['ws'];
    const harness = setup({ onClose: (client) => ws.broadcast(`${client.client_nonce} left`) });
    ws = harness.ws;
    const a = harness.open(1);
    harness.open(2);
    harness.gateway.pollAll();
    ws.close(a);
    expect(texts(harness.gateway.pollAll())).toEqual(['1 left']);
  });
});

describe('handlers that close other connections', () => {
  it('closing a principal whose onClose closes its sibling closes each connection once', () => {
    let ws!: ReturnType<typeof setup>['ws'];
    const closed: bigint[] = [];
    const harness = setup({
      onClose: (client) => {
        closed.push(client.client_nonce);
        for (const other of ws.connectionsOf(client.client_principal)) ws.close(other);
      },
    });
    ws = harness.ws;
    harness.open(1, 1n);
    harness.open(1, 2n);
    harness.gateway.pollAll();
    ws.close(principal(1));
    expect(closed.sort()).toEqual([1n, 2n]);
    expect(ws.clients()).toEqual([]);
    const closes = harness.gateway.pollAll();
    expect(closes).toHaveLength(2);
    // Nothing is left behind in stable storage for the closed connections.
    expect((harness.host.stableStore as MemoryStableStore).size('clients')).toBe(0);
  });
});
