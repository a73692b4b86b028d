import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mutationOf } from '../../tests/support/hostile-bytes';
import { ClientKeyIdl } from './idl';
import type { CanisterWsMessageArguments } from './types';
import { WsMessageArgsDecoder } from './ws-message-args';
import { wsServiceMethods } from './ws-service';

const AppIdl = IDL.Record({ text: IDL.Text, n: IDL.Nat32 });
const argTypes = wsServiceMethods(AppIdl).ws_message.argTypes;

function args(withId: boolean, content = Uint8Array.of(1, 2, 3)): CanisterWsMessageArguments {
  return {
    msg: {
      client_key: { client_principal: Principal.fromUint8Array(new Uint8Array(29).fill(0x33)), client_nonce: 0x1234_5678_9abc_def0n },
      sequence_num: 7n,
      timestamp: 1_700_000_000_000_000_000n,
      is_service_message: withId,
      content,
    },
    message_id: withId ? [{ outbox: new Uint8Array(16).fill(9), index: 2n ** 63n + 5n }] : [],
  };
}

const encode = (value: CanisterWsMessageArguments, app: [] | [unknown] = []) => new Uint8Array(IDL.encode(argTypes, [value, app]));
const generic = (bytes: Uint8Array) => IDL.decode(argTypes, bytes);

function outcome(run: () => unknown): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: run() };
  } catch (error) {
    // The generic decoder numbers the wire types it builds (`rec_685`) with a counter that runs across calls.
    return { ok: false, message: (error as Error).message.replace(/rec_\d+/g, 'rec_N') };
  }
}

describe('WsMessageArgsDecoder', () => {
  const decoder = new WsMessageArgsDecoder(AppIdl);

  it('decodes what ic-ws-client sends, with and without a message id, as IDL.decode does', () => {
    for (const withId of [false, true]) {
      const bytes = encode(args(withId, new Uint8Array(300).fill(5)));
      expect(decoder.decode(bytes)).toEqual(generic(bytes));
    }
  });

  it('decodes other encodings of the same arguments through the generic decoder', () => {
    // The public ic-websocket-js client: a one-field record (no message_id) and `opt null` for the app message.
    const PublicArgs = IDL.Record({
      msg: IDL.Record({ client_key: ClientKeyIdl, sequence_num: IDL.Nat64, timestamp: IDL.Nat64, is_service_message: IDL.Bool, content: IDL.Vec(IDL.Nat8) }),
    });
    const value = args(false);
    const publicBytes = new Uint8Array(IDL.encode([PublicArgs, IDL.Opt(IDL.Null)], [{ msg: value.msg }, []]));
    expect(decoder.decode(publicBytes)).toEqual([value, []]);
    // An app message present in the second argument: read (and never used) as the generic decoder reads it.
    const withApp = encode(value, [{ text: 'hi', n: 1 }]);
    expect(decoder.decode(withApp)).toEqual(generic(withApp));
  });

  it('refuses what IDL.decode refuses, with its error', () => {
    const bytes = encode(args(true));
    for (const bad of [bytes.subarray(0, bytes.length - 1), Uint8Array.from([...bytes, 0]), new Uint8Array(0)]) {
      expect(outcome(() => decoder.decode(bad))).toEqual(outcome(() => generic(bad)));
      expect(outcome(() => decoder.decode(bad)).ok).toBe(false);
    }
  });

  it('agrees with IDL.decode on random mutations: same value, or the same error', () => {
    for (const valid of [encode(args(true)), encode(args(false))]) {
      fc.assert(
        fc.property(mutationOf(valid), (mutated) => {
          expect(outcome(() => decoder.decode(mutated))).toEqual(outcome(() => generic(mutated)));
        }),
        { numRuns: 1500 },
      );
    }
  });
});
