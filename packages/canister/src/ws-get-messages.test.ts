import { describe, expect, it } from 'vitest';
import { FakePollingGateway } from './testing/fake-polling-gateway';
import { GATEWAY, principal, setup } from './testing/ws-canister-harness';
import { WsErrorMessage } from './ws-error-messages';

const KiB = 1024;

describe('ws_get_messages', () => {
  it('gives an unknown gateway an empty batch', () => {
    const { ws, host, open } = setup();
    open(1);
    const stranger = new FakePollingGateway(principal(9, 'gateway'), ws, host);
    expect(stranger.poll()).toEqual({ messages: [], isEndOfQueue: true });
    expect(stranger.batches[0]).toEqual({ messages: [], cert: new Uint8Array(), tree: new Uint8Array(), is_end_of_queue: true, next_nonce: [0n] });
  });

  it('tells the live end of the queue (next_nonce) in every reply, so a gateway can start there', () => {
    const { ws, gateway, open } = setup({ maxMessagesPerPoll: 2 });
    const key = open(1);
    for (let i = 0; i < 4; i++) ws.send(key, `m${i}`);
    // Past the end (how a gateway finds the live end without reading anything): empty, next_nonce 5.
    gateway.nextNonce = 1n << 63n;
    gateway.poll();
    expect(gateway.batches.at(-1)).toMatchObject({ messages: [], is_end_of_queue: true, next_nonce: [5n] });
    gateway.nextNonce = 0n;
    expect(gateway.poll().messages).toHaveLength(2);
    expect(gateway.batches.at(-1)!.next_nonce).toEqual([5n]);
    expect(gateway.pollAll()).toHaveLength(3);
    ws.send(key, 'm4');
    expect(gateway.poll().messages).toHaveLength(1);
    expect(gateway.batches.at(-1)!.next_nonce).toEqual([6n]);
  });

  it('returns an empty batch with is_end_of_queue for a nonce past the last message', () => {
    const { gateway, open } = setup();
    open(1);
    gateway.nextNonce = 5n;
    expect(gateway.poll()).toEqual({ messages: [], isEndOfQueue: true });
    gateway.nextNonce = 1n;
    expect(gateway.poll()).toEqual({ messages: [], isEndOfQueue: true });
  });

  it('pages through the queue in keys order, at most maxMessagesPerPoll per reply', () => {
    const { ws, gateway, open } = setup({ maxMessagesPerPoll: 50 });
    const key = open(1);
    for (let i = 0; i < 119; i++) ws.send(key, `m${i}`);
    const sizes: number[] = [];
    const ends: boolean[] = [];
    for (;;) {
      const { messages, isEndOfQueue } = gateway.poll();
      sizes.push(messages.length);
      ends.push(isEndOfQueue);
      if (isEndOfQueue) break;
    }
    expect(sizes).toEqual([50, 50, 20]);
    expect(ends).toEqual([false, false, true]);
    expect(gateway.nextNonce).toBe(120n);
  });

  it('keeps nonces per gateway, each from 0', () => {
    const { ws, host, gateway, open } = setup();
    const otherPrincipal = principal(2, 'gateway');
    const other = new FakePollingGateway(otherPrincipal, ws, host);
    open(1);
    open(2, 1n, otherPrincipal);
    open(3);
    expect(gateway.pollAll().map((m) => m.nonce)).toEqual([0n, 1n]);
    expect(other.pollAll().map((m) => m.nonce)).toEqual([0n]);
  });

  it('answers Err when no data certificate is available (not called as a query)', () => {
    const { ws, open } = setup();
    open(1);
    expect(ws.wsGetMessages({ nonce: 0n }, GATEWAY)).toEqual({ Err: WsErrorMessage.NoDataCertificate });
  });

  it('splits big messages across polls, every reply under maxReplyBytes and at least one message each', () => {
    const maxReplyBytes = 256 * KiB;
    const { ws, gateway, open } = setup({ maxReplyBytes });
    const key = open(1);
    gateway.pollAll();
    const big = 'x'.repeat(100 * KiB);
    for (let i = 0; i < 7; i++) ws.send(key, `${i}${big}`);
    const perPoll: number[] = [];
    const received: string[] = [];
    for (;;) {
      const { messages, isEndOfQueue } = gateway.poll();
      perPoll.push(messages.length);
      received.push(...messages.map((m) => (m.app as string).slice(0, 1)));
      if (isEndOfQueue) break;
    }
    expect(received).toEqual(['0', '1', '2', '3', '4', '5', '6']);
    expect(perPoll.every((n) => n >= 1 && n <= 2)).toBe(true);
    expect(Math.max(...gateway.replyBytes)).toBeLessThanOrEqual(maxReplyBytes);
  });

  it('fills a reply with small messages up to the budget, not just one', () => {
    const maxReplyBytes = 64 * KiB;
    const { ws, gateway, open } = setup({ maxReplyBytes, maxMessagesPerPoll: 1000 });
    const key = open(1);
    gateway.pollAll();
    for (let i = 0; i < 200; i++) ws.send(key, 'y'.repeat(1000));
    const first = gateway.poll();
    expect(first.isEndOfQueue).toBe(false);
    expect(first.messages.length).toBeGreaterThan(20);
    expect(gateway.replyBytes.at(-1)).toBeLessThanOrEqual(maxReplyBytes);
    // Not wasteful either: the reply uses most of its budget.
    expect(gateway.replyBytes.at(-1)).toBeGreaterThan(maxReplyBytes * 0.8);
    expect(first.messages.length + gateway.pollAll().length).toBe(200);
  });

  it('delivers the largest accepted message alone within the budget, and refuses anything bigger', () => {
    const maxReplyBytes = 128 * KiB;
    const { ws, gateway, open } = setup({ maxReplyBytes });
    const key = open(1);
    gateway.pollAll();
    let size = 0;
    for (let step = 64 * KiB; step >= 1; step = Math.floor(step / 2)) {
      try {
        ws.send(key, 'z'.repeat(size + step));
        size += step;
      } catch (error) {
        expect(error).toMatchObject({ name: 'CanisterError', code: 'MESSAGE_TOO_LARGE' });
      }
    }
    expect(size).toBeGreaterThan(96 * KiB);
    const messages = gateway.pollAll();
    expect(messages.at(-1)?.app).toHaveLength(size);
    expect(Math.max(...gateway.replyBytes)).toBeLessThanOrEqual(maxReplyBytes);
  });

  it('serves messages that verify against the certified data after later changes too', () => {
    const { ws, gateway, open, sendText } = setup();
    const a = open(1);
    const b = open(2);
    ws.send(a, 'one');
    expect(gateway.pollAll().map((m) => m.nonce)).toEqual([0n, 1n, 2n]);
    sendText(b, 1n, 'ignored');
    ws.send(b, 'two');
    ws.close(a);
    expect(gateway.pollAll().map((m) => m.app ?? Object.keys(m.service ?? {})[0])).toEqual(['two', 'CloseMessage']);
  });
});
