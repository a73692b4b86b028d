import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { describe, expect, it } from 'vitest';
import { assertOnlyProtocolErrors, protocolErrorOf } from '../../tests/support/hostile-bytes';
import { ErrorCode } from '../errors';
import { WebsocketServiceMessageContentIdl } from './idl';
import { decodeServiceMessageContent, encodeServiceMessageContent, MAX_SERVICE_MESSAGE_BYTES } from './service-message';
import type { WebsocketServiceMessageContent } from './types';

const clientKey = { client_principal: Principal.fromUint8Array(new Uint8Array(29).fill(0xee)), client_nonce: (1n << 64n) - 1n };
const contents: WebsocketServiceMessageContent[] = [
  { OpenMessage: { client_key: clientKey, extensions: [] } },
  { OpenMessage: { client_key: clientKey, extensions: [['receipts']] } },
  { AckMessage: { last_incoming_sequence_num: 0n } },
  { KeepAliveMessage: { last_incoming_sequence_num: 123_456_789n } },
  { CloseMessage: { reason: { WrongSequenceNumber: null } } },
  { CloseMessage: { reason: { InvalidServiceMessage: null } } },
  { CloseMessage: { reason: { KeepAliveTimeout: null } } },
  { CloseMessage: { reason: { ClosedByApplication: null } } },
  { ReceiptMessage: { sequence_num: 1n, outcome: { Delivered: null } } },
  { ReceiptMessage: { sequence_num: 2n, outcome: { Duplicate: null } } },
  { ReceiptMessage: { sequence_num: 3n, outcome: { Failed: 'x'.repeat(1024) } } },
];

describe('service message content', () => {
  it.each(contents.map((c) => [Object.keys(c)[0], c] as const))('%s round-trips', (_name, content) => {
    const bytes = encodeServiceMessageContent(content);
    expect(decodeServiceMessageContent(bytes)).toEqual(content);
    // The same bytes any other Candid encoder of the type would produce.
    expect(bytes).toEqual(IDL.encode([WebsocketServiceMessageContentIdl], [content]));
  });

  it('fills in an omitted OpenMessage extensions field', () => {
    const bytes = encodeServiceMessageContent({ OpenMessage: { client_key: clientKey } });
    expect(decodeServiceMessageContent(bytes)).toEqual({ OpenMessage: { client_key: clientKey, extensions: [] } });
  });

  it('keeps the largest service message far below the size cap', () => {
    expect(encodeServiceMessageContent(contents[0] as WebsocketServiceMessageContent).length).toBeLessThan(200);
  });

  it('rejects Candid of another type', () => {
    const bytes = IDL.encode([IDL.Text], ['hello']);
    expect(protocolErrorOf(() => decodeServiceMessageContent(bytes)).code).toBe(ErrorCode.CandidDecode);
  });

  it('rejects an unknown variant', () => {
    const Other = IDL.Variant({ Unknown: IDL.Null });
    const bytes = IDL.encode([Other], [{ Unknown: null }]);
    expect(protocolErrorOf(() => decodeServiceMessageContent(bytes)).code).toBe(ErrorCode.CandidDecode);
  });

  it('rejects truncated bytes, bytes without magic, and empty input', () => {
    const valid = encodeServiceMessageContent(contents[0] as WebsocketServiceMessageContent);
    for (const bad of [valid.subarray(0, valid.length - 1), valid.subarray(4), new Uint8Array(0)]) {
      expect(protocolErrorOf(() => decodeServiceMessageContent(bad)).code).toBe(ErrorCode.CandidDecode);
    }
  });

  it('rejects input above the cap before decoding', () => {
    // 10 MB of zeros are not even Candid (no magic): FIELD_TOO_LARGE rather than CANDID_DECODE shows the length is
    // checked before any decoding (by the code, not by a clock, which fails at random on a loaded machine).
    const big = new Uint8Array(10 * 1024 * 1024);
    expect(protocolErrorOf(() => decodeServiceMessageContent(big)).code).toBe(ErrorCode.FieldTooLarge);
    expect(protocolErrorOf(() => decodeServiceMessageContent(new Uint8Array(MAX_SERVICE_MESSAGE_BYTES + 1))).code).toBe(
      ErrorCode.FieldTooLarge,
    );
  });

  it('rejects a non-Uint8Array input', () => {
    expect(protocolErrorOf(() => decodeServiceMessageContent('DIDL' as unknown as Uint8Array)).code).toBe(ErrorCode.CandidDecode);
  });

  it('refuses a hidden vec null of 2^32 elements (it would abort the process inside @dfinity/candid)', () => {
    // A record field the decoder would skip, declared as `vec null` with length 0xffffffff.
    const Sneaky = IDL.Variant({ AckMessage: IDL.Record({ last_incoming_sequence_num: IDL.Nat64, zzz: IDL.Vec(IDL.Null) }) });
    const honest = IDL.encode([Sneaky], [{ AckMessage: { last_incoming_sequence_num: 1n, zzz: [] } }]);
    const zeroLength = honest.lastIndexOf(0x00, honest.length - 9); // the vec length precedes the 8-byte nat64
    const hostile = Uint8Array.from([...honest.subarray(0, zeroLength), 0xff, 0xff, 0xff, 0xff, 0x0f, ...honest.subarray(zeroLength + 1)]);
    expect(protocolErrorOf(() => decodeServiceMessageContent(hostile)).code).toBe(ErrorCode.CandidDecode);
  });

  it('throws CANDID_ENCODE for a value that is not a service message', () => {
    const bad = { Nope: null } as unknown as WebsocketServiceMessageContent;
    expect(protocolErrorOf(() => encodeServiceMessageContent(bad)).code).toBe(ErrorCode.CandidEncode);
  });

  it('throws only ProtocolError for random bytes and mutations of valid encodings', () => {
    for (const content of contents.slice(0, 4)) {
      assertOnlyProtocolErrors(decodeServiceMessageContent, encodeServiceMessageContent(content), 300);
    }
  });
});
