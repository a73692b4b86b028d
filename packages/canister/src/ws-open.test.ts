import { Principal } from '@dfinity/principal';
import { describe, expect, it } from 'vitest';
import { GATEWAY, idOf, principal, setup } from './testing/ws-canister-harness';
import { WsErrorMessage } from './ws-error-messages';

describe('ws_open', () => {
  it('registers the client, queues its OpenMessage as sequence 1 and calls onOpen', () => {
    const { ws, gateway, events, open } = setup();
    const key = open(1, 42n);
    expect(ws.isConnected(key)).toBe(true);
    expect(events).toEqual([{ type: 'open', client: idOf(key) }]);
    const messages = gateway.pollAll();
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ nonce: 0n, sequenceNum: 1n, key: `${GATEWAY.toText()}_00000000000000000000` });
    expect(idOf(messages[0]!.clientKey)).toBe(idOf(key));
    const service = messages[0]!.service as { OpenMessage: { client_key: { client_nonce: bigint } } };
    expect(service.OpenMessage.client_key.client_nonce).toBe(42n);
  });

  it('rejects the anonymous caller', () => {
    const { ws, events } = setup();
    const result = ws.wsOpen({ client_nonce: 1n, gateway_principal: GATEWAY }, Principal.anonymous());
    expect(result).toEqual({ Err: WsErrorMessage.AnonymousClient });
    expect(events).toEqual([]);
    expect(ws.clients()).toEqual([]);
  });

  it('rejects an anonymous gateway_principal', () => {
    const { ws } = setup();
    const result = ws.wsOpen({ client_nonce: 1n, gateway_principal: Principal.anonymous() }, principal(1));
    expect(result).toEqual({ Err: WsErrorMessage.AnonymousGateway });
    expect(ws.clients()).toEqual([]);
  });

  it('rejects a client key already in use and leaves the first connection alone', () => {
    const { ws, gateway, open } = setup();
    const key = open(1, 7n);
    expect(ws.wsOpen({ client_nonce: 7n, gateway_principal: GATEWAY }, principal(1))).toEqual({ Err: WsErrorMessage.ClientKeyInUse });
    expect(ws.clients().map(idOf)).toEqual([idOf(key)]);
    expect(gateway.pollAll()).toHaveLength(1);
  });

  it('accepts several connections per principal, each its own client key with its own sequence', () => {
    const { ws, gateway, open } = setup();
    const a = open(1, 1n);
    const b = open(1, 2n);
    expect(ws.connectionsOf(principal(1)).map(idOf)).toEqual([idOf(a), idOf(b)]);
    const messages = gateway.pollAll();
    expect(messages.map((m) => [idOf(m.clientKey), m.sequenceNum])).toEqual([
      [idOf(a), 1n],
      [idOf(b), 1n],
    ]);
  });

  it('replaces the oldest connection of a principal beyond maxConnectionsPerPrincipal', () => {
    const { ws, events, open } = setup({ maxConnectionsPerPrincipal: 2 });
    const a = open(1, 1n);
    const b = open(1, 2n);
    const c = open(1, 3n);
    expect(ws.connectionsOf(principal(1)).map(idOf)).toEqual([idOf(b), idOf(c)]);
    expect(events).toContainEqual({ type: 'close', client: idOf(a), reason: 'ReplacedByNewConnection' });
  });

  it('refuses connections beyond maxClients', () => {
    const { ws, open } = setup({ maxClients: 2 });
    open(1);
    open(2);
    expect(ws.wsOpen({ client_nonce: 1n, gateway_principal: GATEWAY }, principal(3))).toEqual({ Err: WsErrorMessage.TooManyClients });
    expect(ws.clients()).toHaveLength(2);
  });

  it('refuses to open when the gateway queue is full', () => {
    const { ws, open } = setup({ maxQueuedMessagesPerGateway: 2 });
    open(1);
    open(2);
    expect(ws.wsOpen({ client_nonce: 1n, gateway_principal: GATEWAY }, principal(3))).toEqual({ Err: WsErrorMessage.GatewayQueueFull });
    expect(ws.isConnected(principal(3))).toBe(false);
  });

  it('sets certified data once per call, however many messages the call queued', () => {
    const { host, ws, open } = setup({
      onOpen: (client) => {
        ws.send(client, 'welcome');
        ws.send(client, 'again');
      },
    });
    const before = host.certifiedDataHistory.length;
    open(1);
    expect(host.certifiedDataHistory.length).toBe(before + 1);
  });
});
