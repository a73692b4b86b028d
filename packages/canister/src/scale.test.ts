import { describe, expect, it } from 'vitest';
import { GATEWAY, principal, setup } from './testing/ws-canister-harness';

const ACK = 300_000;

describe('1 000 clients', () => {
  it('opens, messages, acks, broadcasts and closes 1 000 clients, every message verified', () => {
    const { host, ws, gateway, events, open, sendText, sendService } = setup({ maxMessagesPerPoll: 200 });
    const keys = Array.from({ length: 1000 }, (_, i) => open(i + 1, BigInt(i)));
    expect(ws.clients()).toHaveLength(1000);
    const opened = gateway.pollAll();
    expect(opened).toHaveLength(1000);
    expect(opened.at(-1)?.nonce).toBe(999n);

    keys.forEach((key, i) => expect(sendText(key, 1n, `hi ${i}`)).toEqual({ Ok: null }));
    expect(events.filter((e) => e.type === 'message')).toHaveLength(1000);

    expect(ws.broadcast('to all')).toBe(1000);
    host.advance(ACK);
    const after = gateway.pollAll();
    expect(after).toHaveLength(2000);
    expect(after.filter((m) => m.service && 'AckMessage' in m.service)).toHaveLength(1000);

    // Half answer the ack; the other half time out.
    keys.forEach((key, i) => {
      if (i % 2 === 0) expect(sendService(key, 2n, { KeepAliveMessage: { last_incoming_sequence_num: 3n } })).toEqual({ Ok: null });
    });
    host.advance(60_000);
    expect(ws.clients()).toHaveLength(500);
    const closes = gateway.pollAll();
    expect(closes).toHaveLength(500);
    expect(closes.every((m) => m.service && 'CloseMessage' in m.service)).toBe(true);

    for (const key of keys.filter((_, i) => i % 2 === 0)) expect(ws.wsClose({ client_key: key }, GATEWAY)).toEqual({ Ok: null });
    expect(ws.clients()).toEqual([]);
    expect(ws.isConnected(principal(1))).toBe(false);
  });
});
