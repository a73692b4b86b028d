import { describe, expect, it } from 'vitest';
import { GATEWAY, idOf, principal, setup } from './testing/ws-canister-harness';
import { WsErrorMessage } from './ws-error-messages';

const KEEP_ALIVE_TIMEOUT_MS = 60_000;
const OK = { Ok: null };

/** `count` ws_open calls from made-up clients naming made-up gateways, none of which ever confirms. */
function openThroughMadeUpGateways(ws: ReturnType<typeof setup>['ws'], count: number, from = 1000): void {
  for (let i = 0; i < count; i++) {
    const result = ws.wsOpen({ client_nonce: 1n, gateway_principal: principal(from + i, 'gateway') }, principal(from + i));
    expect(result).toEqual(OK);
  }
}

describe('gateway admission', () => {
  it('lets a real gateway in after 100 registrations naming made-up gateways', () => {
    const { ws, gateway, open, sendText, events } = setup({ maxGateways: 4 });
    openThroughMadeUpGateways(ws, 100);
    const key = open(1);
    expect(ws.isConnected(key)).toBe(true);
    expect(sendText(key, 1n, 'hello')).toEqual(OK);
    expect(events).toContainEqual({ type: 'message', client: idOf(key), message: 'hello' });
    expect(gateway.pollAll().map((m) => m.sequenceNum)).toEqual([1n]);
  });

  it('expires unconfirmed gateways with their clients after keepAliveTimeoutMs, keep-alives or not', () => {
    const { ws, host, open, sendService, events } = setup({ keepAliveTimeoutMs: KEEP_ALIVE_TIMEOUT_MS });
    const real = open(1);
    const madeUp = { client_principal: principal(2), client_nonce: 1n };
    expect(ws.wsOpen({ client_nonce: 1n, gateway_principal: principal(9, 'gateway') }, madeUp.client_principal)).toEqual(OK);
    // The attack of the issue: cheap keep-alives from the made-up client. They keep nothing alive.
    host.advance(KEEP_ALIVE_TIMEOUT_MS / 2);
    expect(sendService(madeUp, 1n, { KeepAliveMessage: { last_incoming_sequence_num: 1n } })).toEqual(OK);
    host.advance(KEEP_ALIVE_TIMEOUT_MS / 2 - 1);
    expect(ws.isConnected(madeUp)).toBe(true);
    host.advance(1);
    expect(ws.isConnected(madeUp)).toBe(false);
    expect(events).toContainEqual({ type: 'close', client: idOf(madeUp), reason: 'GatewayNotConfirmed' });
    expect(ws.isConnected(real)).toBe(true);
    // Forgotten with its queue: polling as that gateway finds nothing.
    expect(host.query(() => ws.wsGetMessages({ nonce: 0n }, principal(9, 'gateway')))).toMatchObject({ Ok: { messages: [], is_end_of_queue: true } });
  });

  it('queues an early ack after the OpenMessage of a pending gateway; a keep-alive answering it vouches for the gateway', () => {
    const { ws, host, sendService, gateway: polling } = setup({ keepAliveTimeoutMs: KEEP_ALIVE_TIMEOUT_MS });
    // The public gateway's way: it never signs an update, its client answers the early ack.
    const key = { client_principal: principal(1), client_nonce: 1n };
    expect(ws.wsOpen({ client_nonce: 1n, gateway_principal: GATEWAY }, key.client_principal)).toEqual(OK);
    expect(polling.pollAll().map((m) => [m.sequenceNum, m.service])).toEqual([
      [1n, { OpenMessage: { client_key: key, extensions: [['receipts']] } }],
      [2n, { AckMessage: { last_incoming_sequence_num: 0n } }],
    ]);
    expect(sendService(key, 1n, { KeepAliveMessage: { last_incoming_sequence_num: 2n } })).toEqual(OK);
    host.advance(KEEP_ALIVE_TIMEOUT_MS * 2);
    expect(ws.isConnected(key)).toBe(true);
  });

  it('does not take a keep-alive that acknowledges only the OpenMessage as a vouch', () => {
    const { ws, host, sendService } = setup({ keepAliveTimeoutMs: KEEP_ALIVE_TIMEOUT_MS });
    const key = { client_principal: principal(1), client_nonce: 1n };
    expect(ws.wsOpen({ client_nonce: 1n, gateway_principal: GATEWAY }, key.client_principal)).toEqual(OK);
    expect(sendService(key, 1n, { KeepAliveMessage: { last_incoming_sequence_num: 1n } })).toEqual(OK);
    host.advance(KEEP_ALIVE_TIMEOUT_MS);
    expect(ws.isConnected(key)).toBe(false);
  });

  it('lets a gateway that proves itself take the place of the oldest merely vouched one at maxGateways', () => {
    const { ws, host, sendService, presence, events } = setup({ maxGateways: 2, keepAliveTimeoutMs: KEEP_ALIVE_TIMEOUT_MS });
    // The attack: made-up gateways whose made-up clients fake the keep-alive that vouches for them.
    const fakes = [10, 11, 12].map((n) => ({ client_principal: principal(n), client_nonce: 1n, gateway: principal(n, 'gateway') }));
    for (const fake of fakes) {
      expect(ws.wsOpen({ client_nonce: 1n, gateway_principal: fake.gateway }, fake.client_principal)).toEqual(OK);
      expect(sendService(fake, 1n, { KeepAliveMessage: { last_incoming_sequence_num: 2n } })).toEqual(OK);
    }
    // Two are vouched (the limit), the third stays pending and runs out.
    host.advance(KEEP_ALIVE_TIMEOUT_MS);
    expect(fakes.map((f) => ws.isConnected(f))).toEqual([true, true, false]);
    // A real gateway proves itself: the oldest vouched one makes room, with its client.
    expect(presence()).toEqual(OK);
    expect(events).toContainEqual({ type: 'close', client: `${principal(10).toText()}:1`, reason: 'GatewayNotConfirmed' });
    const key = { client_principal: principal(1), client_nonce: 1n };
    expect(ws.wsOpen({ client_nonce: 1n, gateway_principal: GATEWAY }, key.client_principal)).toEqual(OK);
    host.advance(KEEP_ALIVE_TIMEOUT_MS * 2);
    expect(ws.isConnected(key)).toBe(true);
    // With only proven gateways at the limit, the next proof is refused.
    expect(presence(principal(20, 'gateway'))).toEqual(OK);
    expect(presence(principal(21, 'gateway'))).toEqual({ Err: WsErrorMessage.TooManyConfirmedGateways });
  });

  it('counts only confirmed gateways against maxGateways, and refuses a confirmation beyond it', () => {
    const { ws, host, open, presence, events } = setup({ maxGateways: 1, keepAliveTimeoutMs: KEEP_ALIVE_TIMEOUT_MS });
    open(1);
    const second = principal(2, 'gateway');
    expect(ws.wsOpen({ client_nonce: 1n, gateway_principal: second }, principal(2))).toEqual(OK);
    expect(presence(second)).toEqual({ Err: WsErrorMessage.TooManyConfirmedGateways });
    host.advance(KEEP_ALIVE_TIMEOUT_MS);
    expect(events).toContainEqual({ type: 'close', client: `${principal(2).toText()}:1`, reason: 'GatewayNotConfirmed' });
    expect(() => open(3)).not.toThrow();
  });

  it('confirms a gateway by any ws_close it signs, which keeps its clients past the timeout', () => {
    const { ws, host, events } = setup({ keepAliveTimeoutMs: KEEP_ALIVE_TIMEOUT_MS });
    const a = { client_principal: principal(1), client_nonce: 1n };
    const b = { client_principal: principal(2), client_nonce: 1n };
    for (const key of [a, b]) expect(ws.wsOpen({ client_nonce: 1n, gateway_principal: GATEWAY }, key.client_principal)).toEqual(OK);
    expect(ws.wsClose({ client_key: a }, GATEWAY)).toEqual(OK);
    host.advance(KEEP_ALIVE_TIMEOUT_MS * 2);
    expect(ws.isConnected(b)).toBe(true);
    expect(events.filter((e) => e.type === 'close')).toEqual([{ type: 'close', client: idOf(a), reason: 'ClosedByGateway' }]);
  });

  it('keeps unconfirmed connections out of maxClients', () => {
    const { ws, open } = setup({ maxClients: 2 });
    openThroughMadeUpGateways(ws, 10);
    open(1);
    open(2);
    expect(ws.wsOpen({ client_nonce: 1n, gateway_principal: GATEWAY }, principal(3))).toEqual({ Err: WsErrorMessage.TooManyClients });
  });

  it('drops the oldest unconfirmed gateway, with its clients, beyond maxPendingClients', () => {
    const { ws, events } = setup({ maxPendingClients: 3 });
    openThroughMadeUpGateways(ws, 3);
    expect(ws.clients()).toHaveLength(3);
    openThroughMadeUpGateways(ws, 1, 2000);
    expect(ws.clients().map(idOf).sort()).toEqual([1001, 1002, 2000].map((n) => `${principal(n).toText()}:1`).sort());
    expect(events).toContainEqual({ type: 'close', client: `${principal(1000).toText()}:1`, reason: 'GatewayNotConfirmed' });
  });

  it('counts an unconfirmed gateway whose clients left as one slot, so it cannot be used to pile up registrations', () => {
    const { ws, host, sendText } = setup({ maxPendingClients: 2 });
    for (let i = 0; i < 5; i++) {
      const key = { client_principal: principal(100 + i), client_nonce: 1n };
      expect(ws.wsOpen({ client_nonce: 1n, gateway_principal: principal(100 + i, 'gateway') }, key.client_principal)).toEqual(OK);
      // A wrong sequence number closes the client, leaving its gateway registered without clients.
      expect(sendText(key, 5n, 'x')).toEqual({ Err: WsErrorMessage.WrongSequenceNumber });
    }
    const polls = [100, 101, 102, 103, 104].map((i) => host.query(() => ws.wsGetMessages({ nonce: 0n }, principal(i, 'gateway'))));
    const live = polls.filter((reply) => 'Ok' in reply && reply.Ok.messages.length > 0);
    expect(live).toHaveLength(2);
  });

  it('refuses a ws_open through an unconfirmed gateway that alone holds maxPendingClients', () => {
    const { ws } = setup({ maxPendingClients: 2 });
    const shared = principal(7, 'gateway');
    for (const n of [1, 2]) expect(ws.wsOpen({ client_nonce: 1n, gateway_principal: shared }, principal(n))).toEqual(OK);
    expect(ws.wsOpen({ client_nonce: 1n, gateway_principal: shared }, principal(3))).toEqual({ Err: WsErrorMessage.TooManyPendingClients });
  });

  it('registers a gateway by its presence call alone, and forgets it after an ack interval without clients', () => {
    const { ws, host, presence } = setup({ sendAckIntervalMs: 100_000, keepAliveTimeoutMs: KEEP_ALIVE_TIMEOUT_MS });
    expect(presence()).toEqual(OK);
    expect(presence()).toEqual(OK);
    const key = { client_principal: principal(1), client_nonce: 1n };
    host.advance(150_000);
    expect(ws.wsOpen({ client_nonce: 1n, gateway_principal: GATEWAY }, key.client_principal)).toEqual(OK);
    host.advance(KEEP_ALIVE_TIMEOUT_MS + 1);
    // The gateway had been forgotten (no clients for an interval), so the new ws_open registered it pending.
    expect(ws.isConnected(key)).toBe(false);
  });

  it('keeps the expiry across an upgrade', () => {
    const harness = setup({ keepAliveTimeoutMs: KEEP_ALIVE_TIMEOUT_MS });
    const madeUp = { client_principal: principal(2), client_nonce: 1n };
    expect(harness.ws.wsOpen({ client_nonce: 1n, gateway_principal: principal(9, 'gateway') }, madeUp.client_principal)).toEqual(OK);
    harness.upgrade(10_000);
    expect(harness.ws.isConnected(madeUp)).toBe(true);
    harness.host.advance(KEEP_ALIVE_TIMEOUT_MS - 10_000);
    expect(harness.ws.isConnected(madeUp)).toBe(false);
  });

  describe('with an allowlist', () => {
    const listed = principal(1, 'gateway');
    const other = principal(2, 'gateway');

    it('refuses ws_open naming any other gateway outright, and presence calls from it', () => {
      const { ws, events } = setup({ gateways: [listed.toText()] });
      expect(ws.wsOpen({ client_nonce: 1n, gateway_principal: other }, principal(5))).toEqual({ Err: WsErrorMessage.GatewayNotAllowed });
      expect(ws.wsClose({ client_key: { client_principal: other, client_nonce: 0n } }, other)).toEqual({ Err: WsErrorMessage.PresenceNotAllowed });
      expect(ws.clients()).toEqual([]);
      expect(events).toEqual([]);
    });

    it('confirms a listed gateway from its first ws_open, without a presence call', () => {
      const { ws, host } = setup({ gateways: [listed], keepAliveTimeoutMs: KEEP_ALIVE_TIMEOUT_MS, sendAckIntervalMs: 100_000 });
      const key = { client_principal: principal(5), client_nonce: 1n };
      expect(ws.wsOpen({ client_nonce: 1n, gateway_principal: listed }, key.client_principal)).toEqual(OK);
      host.advance(KEEP_ALIVE_TIMEOUT_MS + 1);
      expect(ws.isConnected(key)).toBe(true);
    });
  });
});
