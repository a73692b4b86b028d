import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeWsGetMessagesResult } from './get-messages-result';
import { CanisterOutputMessageIdl, CanisterWsGetMessagesResultIdl } from './idl';
import { encodeCanisterOutputMessage, encodeMessagesReplyOk } from './messages-reply-bytes';
import type { CanisterOutputCertifiedMessages, CanisterOutputMessage } from './types';

const message: fc.Arbitrary<CanisterOutputMessage> = fc.record({
  client_key: fc.record({
    client_principal: fc.uint8Array({ minLength: 0, maxLength: 29 }).map((bytes) => Principal.fromUint8Array(bytes)),
    client_nonce: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  }, { noNullPrototype: true }),
  // Keys are ASCII in practice; any text must still encode as Candid does.
  key: fc.oneof(fc.string({ maxLength: 100 }), fc.string({ unit: 'binary', maxLength: 40 })),
  content: fc.uint8Array({ maxLength: 300 }),
}, { noNullPrototype: true });

describe('encodeCanisterOutputMessage', () => {
  it('gives the Candid value bytes of the message', () => {
    fc.assert(
      fc.property(message, (m) => {
        expect(encodeCanisterOutputMessage(m)).toEqual(CanisterOutputMessageIdl.encodeValue(m));
        expect(encodeCanisterOutputMessage(m, new TextEncoder().encode(m.key))).toEqual(CanisterOutputMessageIdl.encodeValue(m));
      }),
      { numRuns: 300 },
    );
  });
});

describe('encodeMessagesReplyOk', () => {
  it('splices encoded messages into exactly the bytes IDL.encode gives for the whole reply', () => {
    fc.assert(
      fc.property(
        fc.array(message, { maxLength: 60 }),
        fc.uint8Array({ maxLength: 2000 }),
        fc.uint8Array({ maxLength: 300 }),
        fc.boolean(),
        fc.option(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), { nil: undefined }),
        (messages, cert, tree, isEnd, nextNonce) => {
          const reply: CanisterOutputCertifiedMessages = { messages, cert, tree, is_end_of_queue: isEnd, next_nonce: nextNonce === undefined ? [] : [nextNonce] };
          const { messages: _, ...fields } = reply;
          const bytes = encodeMessagesReplyOk(fields, messages.map((m) => encodeCanisterOutputMessage(m)));
          expect(bytes).toEqual(new Uint8Array(IDL.encode([CanisterWsGetMessagesResultIdl], [{ Ok: reply }])));
          expect(IDL.decode([CanisterWsGetMessagesResultIdl], bytes)[0]).toEqual({ Ok: reply });
          expect(decodeWsGetMessagesResult(bytes)).toEqual({ Ok: reply });
        },
      ),
      { numRuns: 100 },
    );
  });

  it('encodes an empty batch', () => {
    const reply = { messages: [], cert: new Uint8Array(), tree: new Uint8Array(), is_end_of_queue: true, next_nonce: [3n] as [bigint] };
    expect(encodeMessagesReplyOk(reply, [])).toEqual(new Uint8Array(IDL.encode([CanisterWsGetMessagesResultIdl], [{ Ok: reply }])));
  });
});
