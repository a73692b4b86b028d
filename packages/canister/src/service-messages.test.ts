import { describe, expect, it } from 'vitest';
import { CLOSE_MESSAGE_REASONS, decodeServiceMessageContent, encodeServiceMessageContent } from 'ic-ws-protocol';
import { ackMessageContent, closeMessageContent, openMessageContent } from './service-messages';
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

  it('OpenMessage carries the client key', () => {
    const key = { client_principal: principal(3), client_nonce: 77n };
    const decoded = decodeServiceMessageContent(openMessageContent(key)) as { OpenMessage: { client_key: typeof key } };
    expect(decoded.OpenMessage.client_key.client_nonce).toBe(77n);
    expect(decoded.OpenMessage.client_key.client_principal.toText()).toBe(key.client_principal.toText());
  });
});
