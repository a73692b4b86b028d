import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { describe, expect, it } from 'vitest';
import * as idl from './idl';
import type * as T from './types';
import { CLOSE_MESSAGE_REASONS } from './types';

const alice = Principal.fromUint8Array(new Uint8Array(29).fill(7));
const gateway = Principal.fromText('aaaaa-aa');
const clientKey: T.ClientKey = { client_principal: alice, client_nonce: (1n << 64n) - 1n };
const message: T.WebsocketMessage = {
  client_key: clientKey,
  sequence_num: 42n,
  timestamp: 1_700_000_000_000_000_000n,
  is_service_message: false,
  content: Uint8Array.of(1, 2, 3),
};
const output: T.CanisterOutputMessage = { client_key: clientKey, key: 'aaaaa-aa_00000000000000000000', content: Uint8Array.of(9) };
const batch: T.CanisterOutputCertifiedMessages = {
  messages: [output, { ...output, key: 'aaaaa-aa_00000000000000000001' }],
  cert: Uint8Array.of(0xce),
  tree: Uint8Array.of(0x7e),
  is_end_of_queue: true,
  next_nonce: [2n],
};

// One sample per type (several for variants), each typed against its TS mirror so the two cannot drift.
const samples: [string, IDL.Type, unknown[]][] = [
  ['ClientKey', idl.ClientKeyIdl, [clientKey satisfies T.ClientKey]],
  ['WebsocketMessage', idl.WebsocketMessageIdl, [message satisfies T.WebsocketMessage]],
  ['CanisterOutputMessage', idl.CanisterOutputMessageIdl, [output]],
  ['CanisterOutputCertifiedMessages', idl.CanisterOutputCertifiedMessagesIdl, [batch, { ...batch, messages: [], next_nonce: [] }]],
  ['CanisterWsOpenArguments', idl.CanisterWsOpenArgumentsIdl, [{ client_nonce: 0n, gateway_principal: gateway } satisfies T.CanisterWsOpenArguments]],
  ['CanisterWsOpenResult', idl.CanisterWsOpenResultIdl, [{ Ok: null }, { Err: 'no' }] satisfies T.CanisterWsOpenResult[]],
  ['CanisterWsCloseArguments', idl.CanisterWsCloseArgumentsIdl, [{ client_key: clientKey } satisfies T.CanisterWsCloseArguments]],
  ['CanisterWsCloseResult', idl.CanisterWsCloseResultIdl, [{ Ok: null }, { Err: 'x' }] satisfies T.CanisterWsCloseResult[]],
  ['ClientMessageId', idl.ClientMessageIdIdl, [{ outbox: new Uint8Array(16).fill(7), index: 1n } satisfies T.ClientMessageId]],
  ['CanisterWsMessageArguments', idl.CanisterWsMessageArgumentsIdl, [
    { msg: message, message_id: [] },
    { msg: message, message_id: [{ outbox: new Uint8Array(16).fill(1), index: (1n << 64n) - 1n }] },
  ] satisfies T.CanisterWsMessageArguments[]],
  ['CanisterWsMessageResult', idl.CanisterWsMessageResultIdl, [{ Ok: null }, { Err: '' }] satisfies T.CanisterWsMessageResult[]],
  ['CanisterWsGetMessagesArguments', idl.CanisterWsGetMessagesArgumentsIdl, [{ nonce: 5n } satisfies T.CanisterWsGetMessagesArguments]],
  ['CanisterWsGetMessagesResult', idl.CanisterWsGetMessagesResultIdl, [{ Ok: batch }, { Err: 'e' }] satisfies T.CanisterWsGetMessagesResult[]],
  ['CanisterOpenMessageContent', idl.CanisterOpenMessageContentIdl, [
    { client_key: clientKey, extensions: [] },
    { client_key: clientKey, extensions: [['receipts']] },
  ] satisfies T.CanisterOpenMessageContent[]],
  ['ReceiptOutcome', idl.ReceiptOutcomeIdl, [{ Delivered: null }, { Duplicate: null }, { Failed: 'no' }] satisfies T.ReceiptOutcome[]],
  ['CanisterReceiptMessageContent', idl.CanisterReceiptMessageContentIdl, [
    { sequence_num: 4n, outcome: { Failed: 'nickname taken' } } satisfies T.CanisterReceiptMessageContent,
  ]],
  ['CanisterAckMessageContent', idl.CanisterAckMessageContentIdl, [{ last_incoming_sequence_num: 3n } satisfies T.CanisterAckMessageContent]],
  ['ClientKeepAliveMessageContent', idl.ClientKeepAliveMessageContentIdl, [{ last_incoming_sequence_num: 0n } satisfies T.ClientKeepAliveMessageContent]],
  ['CloseMessageReason', idl.CloseMessageReasonIdl, [
    { WrongSequenceNumber: null }, { InvalidServiceMessage: null }, { KeepAliveTimeout: null }, { ClosedByApplication: null },
  ] satisfies T.CloseMessageReason[]],
  ['CanisterCloseMessageContent', idl.CanisterCloseMessageContentIdl, [{ reason: { KeepAliveTimeout: null } } satisfies T.CanisterCloseMessageContent]],
  ['WebsocketServiceMessageContent', idl.WebsocketServiceMessageContentIdl, [
    { OpenMessage: { client_key: clientKey, extensions: [['receipts']] } },
    { AckMessage: { last_incoming_sequence_num: 10n } },
    { KeepAliveMessage: { last_incoming_sequence_num: 11n } },
    { CloseMessage: { reason: { ClosedByApplication: null } } },
    { ReceiptMessage: { sequence_num: 2n, outcome: { Delivered: null } } },
  ] satisfies T.WebsocketServiceMessageContent[]],
];

describe('Candid IDL', () => {
  it.each(samples)('%s round-trips through IDL.encode/IDL.decode', (_name, type, values) => {
    for (const value of values) {
      const [decoded] = IDL.decode([type], IDL.encode([type], [value]));
      expect(decoded).toEqual(value);
    }
  });

  it('covers every exported IDL value', () => {
    const exported = Object.keys(idl).sort();
    expect(samples.map(([name]) => `${name}Idl`).sort()).toEqual(exported);
  });

  it('lists the CloseMessageReason variants in the order of the IDL', () => {
    const tags = (idl.CloseMessageReasonIdl as IDL.VariantClass)._fields.map(([tag]) => tag).sort();
    expect(tags).toEqual([...CLOSE_MESSAGE_REASONS].sort());
  });

  it('decodes nat64 as bigint and principal as Principal', () => {
    const [decoded] = IDL.decode([idl.ClientKeyIdl], IDL.encode([idl.ClientKeyIdl], [clientKey])) as unknown as [T.ClientKey];
    expect(typeof decoded.client_nonce).toBe('bigint');
    expect(decoded.client_principal.toText()).toBe(alice.toText());
  });

  it('keeps the next_nonce extension compatible with the public stack both ways', () => {
    // The reply record of ic-websocket-cdk 0.4 / ic-websocket-gateway 1.4: the same fields without next_nonce.
    const { next_nonce: _extension, ...publicFields } = (idl.CanisterOutputCertifiedMessagesIdl as IDL.RecordClass)._fields.reduce(
      (fields, [name, type]) => ({ ...fields, [name]: type }),
      {} as Record<string, IDL.Type>,
    );
    const PublicReply = IDL.Variant({ Ok: IDL.Record(publicFields), Err: IDL.Text });
    const { next_nonce: _omitted, ...publicBatch } = batch;
    // A public canister's reply decodes with an empty next_nonce...
    const [fromPublic] = IDL.decode([idl.CanisterWsGetMessagesResultIdl], IDL.encode([PublicReply], [{ Ok: publicBatch }]));
    expect(fromPublic).toEqual({ Ok: { ...batch, next_nonce: [] } });
    // ...and ours decodes where the public gateway expects its own type, the extra field ignored.
    const [fromOurs] = IDL.decode([PublicReply], IDL.encode([idl.CanisterWsGetMessagesResultIdl], [{ Ok: batch }]));
    expect(fromOurs).toEqual({ Ok: publicBatch });
  });

  it('rejects a value of the wrong shape at encode time', () => {
    expect(() => IDL.encode([idl.ClientKeyIdl], [{ client_principal: alice }])).toThrow();
  });
});

// The public stack (ic-websocket-cdk 0.4, ic-websocket-js 0.5) knows these types without ic-ws's extension
// fields. Candid record subtyping must carry both ways, or the extensions would break it.
describe('extension fields against the public stack shapes', () => {
  const PublicWsMessageArguments = IDL.Record({ msg: idl.WebsocketMessageIdl });
  const PublicOpenMessage = IDL.Record({ client_key: idl.ClientKeyIdl });
  const PublicServiceMessage = IDL.Variant({
    OpenMessage: PublicOpenMessage,
    AckMessage: idl.CanisterAckMessageContentIdl,
    KeepAliveMessage: idl.ClientKeepAliveMessageContentIdl,
    CloseMessage: idl.CanisterCloseMessageContentIdl,
  });

  it("reads a public client's ws_message argument with message_id absent", () => {
    const [decoded] = IDL.decode([idl.CanisterWsMessageArgumentsIdl], IDL.encode([PublicWsMessageArguments], [{ msg: message }]));
    expect(decoded).toEqual({ msg: message, message_id: [] });
  });

  it('lets a public canister skip message_id', () => {
    const sent = IDL.encode([idl.CanisterWsMessageArgumentsIdl], [{ msg: message, message_id: [{ outbox: new Uint8Array(16), index: 3n }] }]);
    expect(IDL.decode([PublicWsMessageArguments], sent)).toEqual([{ msg: message }]);
  });

  it('lets a public client read an OpenMessage that offers extensions', () => {
    const sent = IDL.encode([idl.WebsocketServiceMessageContentIdl], [{ OpenMessage: { client_key: clientKey, extensions: [['receipts']] } }]);
    expect(IDL.decode([PublicServiceMessage], sent)).toEqual([{ OpenMessage: { client_key: clientKey } }]);
  });

  it("reads a public canister's OpenMessage with extensions absent", () => {
    const sent = IDL.encode([PublicServiceMessage], [{ OpenMessage: { client_key: clientKey } }]);
    expect(IDL.decode([idl.WebsocketServiceMessageContentIdl], sent)).toEqual([{ OpenMessage: { client_key: clientKey, extensions: [] } }]);
  });
});
