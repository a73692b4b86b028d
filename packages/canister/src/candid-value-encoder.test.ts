import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { describe, expect, it } from 'vitest';
import { CandidValueEncoder } from './candid-value-encoder';

describe('CandidValueEncoder', () => {
  it('gives the bytes of IDL.encode, from the first value on', () => {
    const Message = IDL.Variant({ Text: IDL.Record({ text: IDL.Text, n: IDL.Nat32 }), Who: IDL.Opt(IDL.Principal), Many: IDL.Vec(IDL.Nat64) });
    type Message = { Text: { text: string; n: number } } | { Who: [] | [Principal] } | { Many: bigint[] };
    const encoder = new CandidValueEncoder<Message>(Message as unknown as IDL.Type<Message>);
    const values: Message[] = [
      { Text: { text: 'héllo', n: 7 } },
      { Who: [Principal.fromText('aaaaa-aa')] },
      { Who: [] },
      { Many: [1n, 2n ** 64n - 1n] },
      { Text: { text: '', n: 0 } },
    ];
    for (const value of values) expect(encoder.encode(value)).toEqual(new Uint8Array(IDL.encode([Message], [value])));
  });

  it('refuses a value of another type, as IDL.encode does', () => {
    const encoder = new CandidValueEncoder<string>(IDL.Text);
    encoder.encode('first');
    expect(() => encoder.encode(42 as unknown as string)).toThrow(/Invalid text argument/);
    expect(() => new CandidValueEncoder<string>(IDL.Text).encode(42 as unknown as string)).toThrow(/Invalid text argument/);
  });
});
