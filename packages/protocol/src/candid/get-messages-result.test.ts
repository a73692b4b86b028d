import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mutationOf, protocolErrorOf } from '../../tests/support/hostile-bytes';
import { ErrorCode, ProtocolError } from '../errors';
import { formatOutgoingKey } from '../key';
import { CandidReader } from './candid-reader';
import { candidFieldId, readTypeTable } from './candid-type-table';
import { decodeWsGetMessagesResult } from './get-messages-result';
import { CanisterOutputCertifiedMessagesIdl, CanisterOutputMessageIdl, CanisterWsGetMessagesResultIdl, ClientKeyIdl } from './idl';
import type { CanisterOutputCertifiedMessages, CanisterOutputMessage, CanisterWsGetMessagesResult } from './types';

const gateway = Principal.fromUint8Array(new Uint8Array(29).fill(0x42));
const bytes = (length: number, seed: number) => Uint8Array.from({ length }, (_, i) => (i * 13 + seed) & 0xff);

function messages(count: number): CanisterOutputMessage[] {
  return Array.from({ length: count }, (_, i) => ({
    client_key: { client_principal: Principal.fromUint8Array(Uint8Array.of(i, 1, 2, 3)), client_nonce: BigInt(i) * 0x1_0000_0001n },
    key: formatOutgoingKey(gateway, BigInt(i)),
    content: bytes(40 + i, i),
  }));
}

function okReply(count: number, isEnd = true, certBytes = 1_300): { Ok: CanisterOutputCertifiedMessages } {
  return { Ok: { messages: messages(count), cert: bytes(certBytes, 1), tree: bytes(certBytes / 6, 2), is_end_of_queue: isEnd, next_nonce: [BigInt(count) + 7n] } };
}

const encode = (value: CanisterWsGetMessagesResult) => IDL.encode([CanisterWsGetMessagesResultIdl], [value]);
const generic = (reply: Uint8Array) => IDL.decode([CanisterWsGetMessagesResultIdl], reply)[0];

/** The reply types of a canister that adds fields of its own (Candid lets a reply carry more than the caller reads). */
const Extra = {
  ClientKey: IDL.Record({ client_principal: IDL.Principal, client_nonce: IDL.Nat64, a_label: IDL.Text }),
  Message: (clientKey: IDL.Type) =>
    IDL.Record({ client_key: clientKey, key: IDL.Text, content: IDL.Vec(IDL.Nat8), z_meta: IDL.Vec(IDL.Opt(IDL.Int)) }),
};
const ExtendedBatch = IDL.Record({
  messages: IDL.Vec(Extra.Message(Extra.ClientKey)),
  cert: IDL.Vec(IDL.Nat8),
  tree: IDL.Vec(IDL.Nat8),
  is_end_of_queue: IDL.Bool,
  next_nonce: IDL.Opt(IDL.Nat64),
  stats: IDL.Record({ n: IDL.Nat, f: IDL.Float64, v: IDL.Variant({ A: IDL.Null, B: IDL.Int32 }), r: IDL.Reserved, p: IDL.Principal }),
});
const extendedReply = IDL.encode(
  [IDL.Variant({ Ok: ExtendedBatch, Err: IDL.Text })],
  [
    {
      Ok: {
        ...okReply(3, true, 60).Ok,
        messages: messages(3).map((m) => ({ ...m, client_key: { ...m.client_key, a_label: 'é' }, z_meta: [[5n], [], [-7n]] })),
        next_nonce: [42n],
        stats: { n: 12345678901234567890n, f: 1.5, v: { B: -3 }, r: null, p: gateway },
      },
    },
  ],
);

describe('decodeWsGetMessagesResult', () => {
  it.each([
    ['an empty batch', okReply(0)],
    ['one message', okReply(1, false)],
    ['50 messages', okReply(50)],
    ['Err', { Err: 'not a registered gateway: é' } as CanisterWsGetMessagesResult],
  ])('decodes %s to what IDL.decode gives', (_name, value) => {
    const reply = encode(value);
    expect(decodeWsGetMessagesResult(reply)).toEqual(generic(reply));
    expect(decodeWsGetMessagesResult(reply)).toEqual(value);
  });

  it('skips fields the reply adds, as Candid subtyping says, and reads the next_nonce extension', () => {
    const decoded = decodeWsGetMessagesResult(extendedReply);
    expect(decoded).toEqual(generic(extendedReply));
    expect('Ok' in decoded && decoded.Ok.messages.map((m) => m.key)).toEqual(messages(3).map((m) => m.key));
    expect('Ok' in decoded && decoded.Ok.next_nonce).toEqual([42n]);
  });

  it('reads a reply of the public canister library (no next_nonce) with an empty next_nonce, and a mistyped one like IDL.decode', () => {
    const { next_nonce: _, ...publicFields } = recordFields(CanisterOutputCertifiedMessagesIdl);
    const PublicReply = IDL.Variant({ Ok: IDL.Record(publicFields), Err: IDL.Text });
    const { next_nonce: _omitted, ...publicBatch } = okReply(3).Ok;
    const fromPublic = IDL.encode([PublicReply], [{ Ok: publicBatch }]);
    expect(decodeWsGetMessagesResult(fromPublic)).toEqual(generic(fromPublic));
    expect(decodeWsGetMessagesResult(fromPublic)).toEqual({ Ok: { ...publicBatch, next_nonce: [] } });
    const Mistyped = IDL.Variant({ Ok: IDL.Record({ ...publicFields, next_nonce: IDL.Opt(IDL.Text) }), Err: IDL.Text });
    const mistyped = IDL.encode([Mistyped], [{ Ok: { ...publicBatch, next_nonce: ['seven'] } }]);
    expect(decodeWsGetMessagesResult(mistyped)).toEqual(generic(mistyped));
  });

  it('decodes an Ok-only reply type, and refuses its out-of-range variant index', () => {
    const OkOnly = IDL.Variant({ Ok: (CanisterWsGetMessagesResultIdl as IDL.VariantClass)._fields[0]![1] });
    const reply = IDL.encode([OkOnly], [okReply(2)]);
    expect(decodeWsGetMessagesResult(reply)).toEqual(okReply(2));
    const wrongIndex = reply.slice();
    wrongIndex[valueStart(reply)] = 1;
    expect(protocolErrorOf(() => decodeWsGetMessagesResult(wrongIndex)).code).toBe(ErrorCode.CandidDecode);
  });

  it('leaves replies it does not plan for to the generic decoder: two reply values, a func in an extra field', () => {
    const two = IDL.encode([CanisterWsGetMessagesResultIdl, IDL.Text], [okReply(1), 'extra value']);
    expect(decodeWsGetMessagesResult(two)).toEqual(okReply(1));
    const WithFunc = IDL.Variant({
      Ok: IDL.Record({ ...recordFields(ExtendedBatch), callback: IDL.Func([], [], ['query']) }),
      Err: IDL.Text,
    });
    const [extended] = IDL.decode([IDL.Variant({ Ok: ExtendedBatch, Err: IDL.Text })], extendedReply) as [{ Ok: object }];
    const withFunc = IDL.encode([WithFunc], [{ Ok: { ...extended.Ok, callback: [gateway, 'm'] } }]);
    expect(decodeWsGetMessagesResult(withFunc)).toEqual(generic(withFunc));
  });

  it('refuses replies of another type with CANDID_DECODE', () => {
    for (const [type, value] of [
      [IDL.Text, 'hello'],
      [IDL.Variant({ Ok: IDL.Record({ messages: IDL.Vec(CanisterOutputMessageIdl) }), Err: IDL.Text }), { Ok: { messages: [] } }],
      [IDL.Variant({ Ok: ClientKeyIdl, Err: IDL.Text }), { Ok: messages(1)[0]!.client_key }],
      [IDL.Variant({ Ok: IDL.Null, Nope: IDL.Nat }), { Nope: 1n }],
    ] as [IDL.Type, unknown][]) {
      expect(protocolErrorOf(() => decodeWsGetMessagesResult(IDL.encode([type], [value]))).code).toBe(ErrorCode.CandidDecode);
    }
    expect(protocolErrorOf(() => decodeWsGetMessagesResult(IDL.encode([], []))).code).toBe(ErrorCode.CandidDecode);
  });

  it('refuses trailing bytes, truncation, a bool other than 0/1, invalid UTF-8 and a vector of a zero-sized type', () => {
    const reply = encode(okReply(2));
    const cases = [
      Uint8Array.from([...reply, 0]),
      reply.subarray(0, reply.length - 1),
      withLastByte(reply, 2),
      encode({ Err: 'x' }).map((b, i, all) => (i === all.length - 1 ? 0xff : b)),
      IDL.encode([IDL.Variant({ Ok: IDL.Vec(IDL.Null), Err: IDL.Text })], [{ Ok: [] }]),
    ];
    for (const bad of cases) expect(protocolErrorOf(() => decodeWsGetMessagesResult(bad)).code).toBe(ErrorCode.CandidDecode);
  });

  it('refuses, like IDL.decode, a constructor or future opcode used as a type reference in a field it skips', () => {
    // The extended reply's `stats.v` variant types its `A` field as null (0x7f); no value of A is present.
    const at = [...extendedReply].findIndex((b, i, all) => b === 0x6b && all[i + 1] === 2 && all[i + 2] === candidFieldId('A') && all[i + 3] === 0x7f);
    expect(at).toBeGreaterThan(0);
    expect(generic(extendedReply)).toEqual(decodeWsGetMessagesResult(extendedReply));
    for (const opcode of [0x6e /* opt, -18 */, 0x69 /* service, -23 */, 0x66 /* -26, a future type */]) {
      const bad = extendedReply.slice();
      bad[at + 3] = opcode;
      expect(() => generic(bad)).toThrow();
      expect(protocolErrorOf(() => decodeWsGetMessagesResult(bad)).message).toMatch(/used as a type reference/);
    }
  });

  it('refuses, like IDL.decode, a func annotation other than query/oneway/composite_query and a service method not of a func type', () => {
    // Extra fields of a func and a service type, both absent (`opt`), so only the type table holds them.
    const Func = IDL.Func([IDL.Nat], [], ['query']);
    const WithTypes = IDL.Variant({ Ok: IDL.Record({ ...recordFields(CanisterOutputCertifiedMessagesIdl), cb: IDL.Opt(Func), svc: IDL.Opt(IDL.Service({ m: Func })) }), Err: IDL.Text });
    const reply = new Uint8Array(IDL.encode([WithTypes], [{ Ok: { ...okReply(1).Ok, cb: [], svc: [] } }]));
    expect(decodeWsGetMessagesResult(reply)).toEqual(generic(reply));
    const func = indexOfBytes(reply, [0x6a, 1, 0x7d, 0, 1, 1]); // func (nat) -> () query
    const service = indexOfBytes(reply, [0x69, 1, 1, 0x6d]); // service { m : <ref> }
    // The func is entry 0 (right after the magic and the entry count), and the service's method names it.
    expect([func, reply[service + 4]]).toEqual([5, 0]);
    const cases: [Uint8Array, RegExp][] = [
      [withByte(reply, func + 5, 0), /unknown func annotation 0/],
      [withByte(reply, func + 5, 4), /unknown func annotation 4/],
      [withByte(reply, service + 4, 0x7f), /service method not of a func type/], // null
      [withByte(reply, service + 4, 0x7d), /service method not of a func type/], // nat
    ];
    for (const [bad, why] of cases) {
      expect(() => generic(bad)).toThrow();
      expect(protocolErrorOf(() => decodeWsGetMessagesResult(bad)).message).toMatch(why);
    }
    // An annotation in a padded LEB128 encoding is still query, for both.
    const padded = Uint8Array.from([...reply.subarray(0, func + 5), 0x81, 0x00, ...reply.subarray(func + 6)]);
    expect(decodeWsGetMessagesResult(padded)).toEqual(generic(padded));
  });

  it('reads type references in padded (overlong) signed LEB128 as IDL.decode does', () => {
    // `z_meta : vec opt int`: the opt entry's reference to int (-4, one byte 0x7c) written in 8 to 12 bytes.
    const at = indexOfBytes(extendedReply, [0x6e, 0x7c]) + 1;
    for (const length of [2, 7, 8, 9, 12]) {
      const long = [...Array.from({ length: length - 1 }, (_, i) => (i === 0 ? 0xfc : 0xff)), 0x7f];
      const padded = Uint8Array.from([...extendedReply.subarray(0, at), ...long, ...extendedReply.subarray(at + 1)]);
      expect(decodeWsGetMessagesResult(padded), `${length} bytes`).toEqual(generic(padded));
    }
  });

  it('agrees with IDL.decode on random mutations of valid replies: same value, or both refuse', () => {
    // Small certificates, so that mutations land in the structure rather than in opaque bytes.
    for (const valid of [encode(okReply(3, false, 60)), extendedReply]) {
      fc.assert(
        fc.property(mutationOf(valid), (mutated) => {
          const ours = outcome(() => decodeWsGetMessagesResult(mutated));
          const theirs = outcome(() => generic(mutated));
          if (ours.ok) expect(theirs).toEqual(ours);
          else {
            expect(ours.error).toBeInstanceOf(ProtocolError);
            // Stricter than the generic decoder only where Candid says the bytes are invalid, or on a vector of a
            // zero-sized type (refused on purpose: see readTypeTable).
            if (theirs.ok) expect(ours.error.message).toMatch(/UTF-8|bool|opt flag|left over|zero-sized/);
          }
        }),
        { numRuns: 800 },
      );
    }
  });
});

function outcome(run: () => unknown): { ok: true; value: unknown } | { ok: false; error: Error } {
  try {
    return { ok: true, value: run() };
  } catch (error) {
    return { ok: false, error: error as Error };
  }
}

function withByte(bytes: Uint8Array, at: number, byte: number): Uint8Array {
  const out = bytes.slice();
  out[at] = byte;
  return out;
}

/** Where `pattern` first occurs in `bytes` (fails the test when it does not). */
function indexOfBytes(bytes: Uint8Array, pattern: number[]): number {
  const at = Buffer.from(bytes).indexOf(Buffer.from(pattern));
  expect(at, `bytes ${Buffer.from(pattern).toString('hex')}`).toBeGreaterThanOrEqual(0);
  return at;
}

function withLastByte(reply: Uint8Array, byte: number): Uint8Array {
  const out = reply.slice();
  out[out.length - 1] = byte;
  return out;
}

function recordFields(record: IDL.RecordClass): Record<string, IDL.Type> {
  return Object.fromEntries(record._fields);
}

/** Offset of the first value byte of a one-argument message: past the type table and the argument types. */
function valueStart(reply: Uint8Array): number {
  const reader = new CandidReader(reply);
  readTypeTable(reader);
  reader.leb();
  reader.sleb();
  return reader.pos;
}
