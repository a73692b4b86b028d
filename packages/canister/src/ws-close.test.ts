import { describe, expect, it } from 'vitest';
import { GATEWAY, idOf, principal, setup } from './testing/ws-canister-harness';
import { WsErrorMessage } from './ws-error-messages';

describe('ws_close (from the gateway)', () => {
  it("removes the client and calls onClose when the caller is the client's gateway", () => {
    const { ws, gateway, events, open } = setup();
    const key = open(1);
    expect(ws.wsClose({ client_key: key }, GATEWAY)).toEqual({ Ok: null });
    expect(ws.isConnected(key)).toBe(false);
    expect(events.at(-1)).toEqual({ type: 'close', client: idOf(key), reason: 'ClosedByGateway' });
    // The client is gone: nothing is sent to it (only its OpenMessage was queued).
    expect(gateway.pollAll().map((m) => m.sequenceNum)).toEqual([1n]);
  });

  it('refuses a caller that is not a registered gateway', () => {
    const { ws, open } = setup();
    const key = open(1);
    expect(ws.wsClose({ client_key: key }, principal(5))).toEqual({ Err: WsErrorMessage.GatewayNotRegistered });
    expect(ws.isConnected(key)).toBe(true);
  });

  it('refuses a registered gateway that is not the client gateway', () => {
    const { ws, open } = setup();
    const key = open(1);
    const other = principal(2, 'gateway');
    open(2, 1n, other);
    expect(ws.wsClose({ client_key: key }, other)).toEqual({ Err: WsErrorMessage.CallerNotClientGateway });
    expect(ws.isConnected(key)).toBe(true);
  });

  it('refuses a client key that is not connected', () => {
    const { ws, open } = setup();
    open(1);
    const ghost = { client_principal: principal(9), client_nonce: 1n };
    expect(ws.wsClose({ client_key: ghost }, GATEWAY)).toEqual({ Err: WsErrorMessage.ClientNotConnected });
  });
});

describe('close (by the application)', () => {
  it('queues CloseMessage{ClosedByApplication}, removes the client and calls onClose', () => {
    const { ws, gateway, events, open } = setup();
    const key = open(1);
    ws.close(key);
    expect(ws.isConnected(key)).toBe(false);
    expect(events.at(-1)).toEqual({ type: 'close', client: idOf(key), reason: 'ClosedByApplication' });
    const last = gateway.pollAll().at(-1);
    expect(last?.service).toEqual({ CloseMessage: { reason: { ClosedByApplication: null } } });
    expect(last?.sequenceNum).toBe(2n);
  });

  it('closes every connection of a principal', () => {
    const { ws, open } = setup();
    open(1, 1n);
    open(1, 2n);
    const other = open(2);
    ws.close(principal(1));
    expect(ws.clients().map(idOf)).toEqual([idOf(other)]);
  });

  it('throws CLIENT_NOT_CONNECTED for an unknown client and changes nothing', () => {
    const { ws, host, open } = setup();
    open(1);
    const before = host.certifiedDataHistory.length;
    expect(() => ws.close({ client_principal: principal(1), client_nonce: 99n })).toThrow(
      expect.objectContaining({ name: 'CanisterError', code: 'CLIENT_NOT_CONNECTED' }),
    );
    expect(() => ws.close(principal(3))).toThrow(expect.objectContaining({ code: 'CLIENT_NOT_CONNECTED' }));
    expect(ws.clients()).toHaveLength(1);
    expect(host.certifiedDataHistory.length).toBe(before);
  });
});
