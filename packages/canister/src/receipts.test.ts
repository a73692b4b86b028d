import { IDL } from '@dfinity/candid';
import type { ClientKey, ClientMessageId } from 'ic-ws-protocol';
import { describe, expect, it } from 'vitest';
import { appMessage, idOf, principal, setup, type Harness } from './testing/ws-canister-harness';
import { WsErrorMessage } from './ws-error-messages';

const OK = { Ok: null };
const outboxA = new Uint8Array(16).fill(0xa1);
const outboxB = new Uint8Array(16).fill(0xb2);

function sendWithId(h: Harness, key: ClientKey, seq: bigint, text: string, id?: ClientMessageId) {
  const content = IDL.encode([IDL.Text], [text]);
  return h.ws.wsMessage({ msg: appMessage(key, seq, content), message_id: id === undefined ? [] : [id] }, key.client_principal);
}

/** The receipts and app messages polled for `key`, in order, as short strings. */
function polledFor(h: Harness, key: ClientKey): string[] {
  return h.gateway
    .pollAll()
    .filter((m) => idOf(m.clientKey) === idOf(key))
    .map((m) => {
      if (m.app !== undefined) return `app ${String(m.app)}`;
      const service = m.service as Record<string, { sequence_num?: bigint; outcome?: Record<string, unknown> }>;
      const [name, body] = Object.entries(service)[0] as [string, { sequence_num?: bigint; outcome?: Record<string, unknown> }];
      if (name !== 'ReceiptMessage') return name;
      const [outcome, reason] = Object.entries(body.outcome as Record<string, unknown>)[0] as [string, unknown];
      return `receipt ${body.sequence_num} ${outcome}${typeof reason === 'string' ? `: ${reason}` : ''}`;
    });
}

describe('onMessage that throws', () => {
  it('keeps the sequence in step and tells a client with receipts which message failed and why', () => {
    const h = setup({
      onMessage: (client, text) => {
        if (text === 'boom') throw new Error('nickname already taken');
        h.ws.send(client, `echo ${text}`);
      },
    });
    const key = h.open(1);
    expect(sendWithId(h, key, 1n, 'one', { outbox: outboxA, index: 1n })).toEqual(OK);
    expect(sendWithId(h, key, 2n, 'boom', { outbox: outboxA, index: 2n })).toEqual({ Err: WsErrorMessage.HandlerFailed });
    expect(sendWithId(h, key, 3n, 'three', { outbox: outboxA, index: 3n })).toEqual(OK);
    expect(h.ws.isConnected(key)).toBe(true);
    expect(polledFor(h, key)).toEqual([
      'OpenMessage',
      'app echo one',
      'receipt 1 Delivered',
      'receipt 2 Failed: nickname already taken',
      'app echo three',
      'receipt 3 Delivered',
    ]);
  });

  it('keeps the sequence in step for a client without receipts (the public client), which is sent nothing new', () => {
    const h = setup({
      onMessage: (_client, text) => {
        if (text === 'boom') throw new TypeError('bad');
      },
    });
    const key = h.open(1);
    expect(h.sendText(key, 1n, 'boom')).toEqual({ Err: WsErrorMessage.HandlerFailed });
    expect(h.sendText(key, 2n, 'fine')).toEqual(OK);
    expect(h.ws.isConnected(key)).toBe(true);
    expect(polledFor(h, key)).toEqual(['OpenMessage']);
  });

  it('uses handlerErrorReason for the text, and a fixed text when that throws too', () => {
    let reasonThrows = false;
    const h = setup({
      onMessage: () => {
        throw new Error('internal detail');
      },
      handlerErrorReason: () => {
        if (reasonThrows) throw new Error('worse');
        return 'try again later';
      },
    });
    const key = h.open(1);
    sendWithId(h, key, 1n, 'x', { outbox: outboxA, index: 1n });
    reasonThrows = true;
    sendWithId(h, key, 2n, 'y', { outbox: outboxA, index: 2n });
    expect(polledFor(h, key).slice(1)).toEqual(['receipt 1 Failed: try again later', `receipt 2 Failed: ${WsErrorMessage.HandlerFailed}`]);
  });

  it('does not roll back what the handler did before it threw', () => {
    const h = setup({
      onMessage: (client) => {
        h.ws.send(client, 'sent before the throw');
        throw new Error('late failure');
      },
    });
    const key = h.open(1);
    sendWithId(h, key, 1n, 'x', { outbox: outboxA, index: 1n });
    expect(polledFor(h, key).slice(1)).toEqual(['app sent before the throw', 'receipt 1 Failed: late failure']);
  });

  it('sends no receipt to a client the handler closed, and does not fail', () => {
    const h = setup({ onMessage: (client) => h.ws.close(client) });
    const key = h.open(1);
    expect(sendWithId(h, key, 1n, 'x', { outbox: outboxA, index: 1n })).toEqual(OK);
    expect(polledFor(h, key)).toEqual(['OpenMessage', 'CloseMessage']);
  });
});

describe('receipts and duplicates', () => {
  it('offers receipts in the OpenMessage by default, and nothing when disabled', () => {
    const on = setup();
    on.open(1);
    expect(on.gateway.pollAll()[0]?.service).toMatchObject({ OpenMessage: { extensions: [['receipts']] } });
    const off = setup({ receipts: false });
    off.open(1);
    expect(off.gateway.pollAll()[0]?.service).toMatchObject({ OpenMessage: { extensions: [] } });
  });

  it('drops a message re-sent on a new connection (a page reload) and receipts it as a duplicate', () => {
    const h = setup();
    const first = h.open(1, 1n);
    expect(sendWithId(h, first, 1n, 'hello', { outbox: outboxA, index: 1n })).toEqual(OK);
    const second = h.open(1, 2n);
    expect(sendWithId(h, second, 1n, 'hello', { outbox: outboxA, index: 1n })).toEqual(OK);
    expect(sendWithId(h, second, 2n, 'next', { outbox: outboxA, index: 2n })).toEqual(OK);
    expect(h.events.filter((e) => e.type === 'message').map((e) => (e as { message: string }).message)).toEqual(['hello', 'next']);
    expect(polledFor(h, second).slice(1)).toEqual(['receipt 1 Duplicate', 'receipt 2 Delivered']);
  });

  it('keeps outboxes apart, and principals apart even for the same outbox id', () => {
    const h = setup();
    const alice = h.open(1);
    const mallory = h.open(2);
    expect(sendWithId(h, alice, 1n, 'a1', { outbox: outboxA, index: 1n })).toEqual(OK);
    expect(sendWithId(h, alice, 2n, 'b1', { outbox: outboxB, index: 1n })).toEqual(OK);
    // Mallory read Alice's outbox id off the wire and tries to push it forward: only her own entry moves.
    expect(sendWithId(h, mallory, 1n, 'm', { outbox: outboxA, index: 1000n })).toEqual(OK);
    expect(sendWithId(h, alice, 3n, 'a2', { outbox: outboxA, index: 2n })).toEqual(OK);
    expect(h.events.filter((e) => e.type === 'message').map((e) => (e as { message: string }).message)).toEqual(['a1', 'b1', 'm', 'a2']);
  });

  it('fails a malformed message id or undecodable content with a receipt, keeping the connection', () => {
    const h = setup();
    const key = h.open(1);
    expect(sendWithId(h, key, 1n, 'x', { outbox: new Uint8Array(15), index: 1n })).toEqual({ Err: WsErrorMessage.InvalidMessageId });
    expect(sendWithId(h, key, 2n, 'x', { outbox: outboxA, index: 0n })).toEqual({ Err: WsErrorMessage.InvalidMessageId });
    const junk = h.ws.wsMessage({ msg: appMessage(key, 3n, Uint8Array.of(1, 2, 3)), message_id: [{ outbox: outboxA, index: 1n }] }, key.client_principal);
    expect(junk).toEqual({ Err: WsErrorMessage.InvalidAppMessage });
    expect(h.ws.isConnected(key)).toBe(true);
    expect(polledFor(h, key).slice(1)).toEqual([
      `receipt 1 Failed: ${WsErrorMessage.InvalidMessageId}`,
      `receipt 2 Failed: ${WsErrorMessage.InvalidMessageId}`,
      `receipt 3 Failed: ${WsErrorMessage.InvalidAppMessage}`,
    ]);
  });

  it('ignores message ids, sending no receipts, when receipts are disabled', () => {
    const h = setup({ receipts: false });
    const key = h.open(1);
    expect(sendWithId(h, key, 1n, 'x', { outbox: outboxA, index: 1n })).toEqual(OK);
    expect(sendWithId(h, key, 2n, 'x', { outbox: outboxA, index: 1n })).toEqual(OK);
    expect(h.events.filter((e) => e.type === 'message')).toHaveLength(2);
    expect(polledFor(h, key)).toEqual(['OpenMessage']);
  });

  it('remembers taken ids across an upgrade', () => {
    const h = setup();
    const key = h.open(1, 1n);
    sendWithId(h, key, 1n, 'x', { outbox: outboxA, index: 5n });
    h.upgrade();
    h.gateway.resetSequences();
    const again = h.open(1, 2n);
    sendWithId(h, again, 1n, 'x', { outbox: outboxA, index: 5n });
    expect(h.events.filter((e) => e.type === 'message')).toHaveLength(1);
  });

  it('forgets the least recently used outbox beyond maxRememberedOutboxes, and outboxes idle beyond duplicateWindowMs', () => {
    const h = setup({ maxRememberedOutboxes: 2, duplicateWindowMs: 1_000_000, sendAckIntervalMs: 120_000 });
    const key = h.open(1);
    const outbox = (n: number) => new Uint8Array(16).fill(n);
    sendWithId(h, key, 1n, 'o1', { outbox: outbox(1), index: 1n });
    sendWithId(h, key, 2n, 'o2', { outbox: outbox(2), index: 1n });
    sendWithId(h, key, 3n, 'o3', { outbox: outbox(3), index: 1n });
    // Outbox 1 was forgotten: its re-send is taken again. Outbox 3 is remembered.
    sendWithId(h, key, 4n, 'o1 again', { outbox: outbox(1), index: 1n });
    sendWithId(h, key, 5n, 'o3 again', { outbox: outbox(3), index: 1n });
    const handled = () => h.events.filter((e) => e.type === 'message').map((e) => (e as { message: string }).message);
    expect(handled()).toEqual(['o1', 'o2', 'o3', 'o1 again']);
    h.host.advance(1_000_000 + 120_000);
    // (The first connection missed its keep-alives meanwhile; a new one re-sends.)
    const later = h.open(1, 2n);
    sendWithId(h, later, 1n, 'o3 after the window', { outbox: outbox(3), index: 1n });
    expect(handled().at(-1)).toBe('o3 after the window');
  });
});

describe('ws_message of the public client shape', () => {
  it('accepts args without message_id (as Candid decodes a public client record)', () => {
    const h = setup();
    const key = h.open(1);
    const content = IDL.encode([IDL.Text], ['plain']);
    expect(h.ws.wsMessage({ msg: appMessage(key, 1n, content) }, principal(1))).toEqual(OK);
    expect(h.events).toContainEqual({ type: 'message', client: idOf(key), message: 'plain' });
  });
});
