import { IDL } from '@dfinity/candid';
import { describe, expect, it } from 'vitest';
import { CLOSE_MESSAGE_REASONS, decodeServiceMessageContent, encodeServiceMessageContent, WebsocketServiceMessageContentIdl } from 'ic-ws-protocol';
import { ackMessageContent, closeMessageContent, openMessageContent, receiptMessageContent, truncateUtf8 } from './service-messages';
import { principal } from './testing/ws-canister-harness';

describe('cached service message encodings', () => {
  it.each([0n, 1n, 255n, 256n, 65_537n, 2n ** 32n + 7n, 2n ** 64n - 1n])('AckMessage{%s} equals the encoder output', (n) => {
    const expected = encodeServiceMessageContent({ AckMessage: { last_incoming_sequence_num: n } });
    expect(ackMessageContent(n)).toEqual(expected);
    expect(decodeServiceMessageContent(ackMessageContent(n))).toEqual({ AckMessage: { last_incoming_sequence_num: n } });
  });

  it.each(CLOSE_MESSAGE_REASONS)('CloseMessage{%s} equals the encoder output and is a fresh copy', (reason) => {
    const expected = encodeServiceMessageContent({ CloseMessage: { reason: { [reason]: null } as never } });
    const first = closeMessageContent(reason);
    expect(first).toEqual(expected);
    first[0] = 0;
    expect(closeMessageContent(reason)).toEqual(expected);
  });

  it.each([
    [0n, { Delivered: null }],
    [1n, { Duplicate: null }],
    [2n ** 64n - 1n, { Delivered: null }],
    [300n, { Failed: 'the handler refused message n=3' }],
    [7n, { Failed: '' }],
  ] as const)('ReceiptMessage{%s, %o} decodes as the service message, encoded again and again, shorter', (sequenceNum, outcome) => {
    const value = { ReceiptMessage: { sequence_num: sequenceNum, outcome } };
    // Typed with its own variant arm only (Candid variant subtyping): what every decoder of the protocol's
    // type reads, @dfinity/candid's generic one included, in fewer bytes than the whole variant's table.
    for (let i = 0; i < 2; i++) {
      const bytes = receiptMessageContent(sequenceNum, outcome);
      expect(decodeServiceMessageContent(bytes)).toEqual(value);
      expect(IDL.decode([WebsocketServiceMessageContentIdl], bytes)[0]).toEqual(value);
      expect(bytes.length).toBeLessThan(encodeServiceMessageContent(value).length - 90);
    }
  });

  it('OpenMessage equals the encoder output, with and without extensions', () => {
    for (const [nonce, extensions] of [[0n, ['receipts']], [2n ** 64n - 1n, []], [5n, ['receipts', 'later']]] as const) {
      const key = { client_principal: principal(Number(nonce % 200n)), client_nonce: nonce };
      const expected = encodeServiceMessageContent({ OpenMessage: { client_key: key, extensions: extensions.length > 0 ? [[...extensions]] : [] } });
      expect(openMessageContent(key, extensions)).toEqual(expected);
    }
  });

  it('OpenMessage carries the client key and the offered extensions', () => {
    const key = { client_principal: principal(3), client_nonce: 77n };
    const decoded = decodeServiceMessageContent(openMessageContent(key, ['receipts'])) as { OpenMessage: { client_key: typeof key; extensions: [] | [string[]] } };
    expect(decoded.OpenMessage.client_key.client_nonce).toBe(77n);
    expect(decoded.OpenMessage.client_key.client_principal.toText()).toBe(key.client_principal.toText());
    expect(decoded.OpenMessage.extensions).toEqual([['receipts']]);
    expect(decodeServiceMessageContent(openMessageContent(key, []))).toMatchObject({ OpenMessage: { extensions: [] } });
  });

  it('ReceiptMessage bounds a long failure reason to 1024 UTF-8 bytes, whole characters only', () => {
    const decoded = decodeServiceMessageContent(receiptMessageContent(5n, { Failed: 'é'.repeat(2000) }));
    const reason = (decoded as { ReceiptMessage: { outcome: { Failed: string } } }).ReceiptMessage.outcome.Failed;
    expect(new TextEncoder().encode(reason).length).toBeLessThanOrEqual(1024);
    expect(reason).toMatch(/^é+…$/);
    expect(decodeServiceMessageContent(receiptMessageContent(6n, { Delivered: null }))).toEqual({ ReceiptMessage: { sequence_num: 6n, outcome: { Delivered: null } } });
    expect(truncateUtf8('short', 10)).toBe('short');
    expect(truncateUtf8('abcdefghij', 6)).toBe('abc…');
  });
});
