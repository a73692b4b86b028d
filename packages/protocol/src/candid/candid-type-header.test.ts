import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { describe, expect, it } from 'vitest';
import { candidTypeHeader, hasCandidHeader } from './candid-type-header';
import { wsServiceMethods } from './ws-service';

const AppIdl = IDL.Record({ text: IDL.Text, n: IDL.Nat32 });
const Tree = IDL.Rec();
Tree.fill(IDL.Variant({ leaf: IDL.Nat, node: IDL.Vec(Tree) }));

/** The header as the bytes of a real encoding minus its values' bytes. */
function headerOf(types: IDL.Type[], values: unknown[]): Uint8Array {
  const whole = new Uint8Array(IDL.encode(types, values));
  const valueBytes = types.reduce((sum, type, i) => sum + type.encodeValue(values[i]).byteLength, 0);
  return whole.slice(0, whole.length - valueBytes);
}

describe('candidTypeHeader', () => {
  const cases: [string, IDL.Type[], unknown[]][] = [
    [
      'the arguments of ws_message',
      wsServiceMethods(AppIdl).ws_message.argTypes,
      [
        {
          msg: {
            client_key: { client_principal: Principal.anonymous(), client_nonce: 3n },
            sequence_num: 1n,
            timestamp: 2n,
            is_service_message: false,
            content: Uint8Array.of(1, 2),
          },
          message_id: [{ outbox: Uint8Array.of(7), index: 4n }],
        },
        [{ text: 'hi', n: 5 }],
      ],
    ],
    ['an app record', [AppIdl], [{ text: 'x', n: 1 }]],
    ['a recursive variant', [Tree], [{ node: [{ leaf: 1n }, { node: [] }] }]],
    ['primitives', [IDL.Text, IDL.Nat64, IDL.Opt(IDL.Bool)], ['a', 9n, [true]]],
  ];

  it.each(cases)('is what IDL.encode writes before the values: %s', (_, types, values) => {
    const header = candidTypeHeader(types);
    expect(header).toEqual(headerOf(types, values));
    expect(hasCandidHeader(new Uint8Array(IDL.encode(types, values)), header)).toBe(true);
  });

  it('tells bytes of other types, and short bytes, apart', () => {
    const header = candidTypeHeader([AppIdl]);
    expect(hasCandidHeader(new Uint8Array(IDL.encode([IDL.Record({ text: IDL.Text, n: IDL.Nat64 })], [{ text: 'x', n: 1n }])), header)).toBe(false);
    expect(hasCandidHeader(header.subarray(0, header.length - 1), header)).toBe(false);
  });
});
