import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertNoZeroSizedVectors } from 'ic-ws-protocol';
import { CandidValueDecoder } from './candid-value-decoder';

const Tree = IDL.Rec();
Tree.fill(IDL.Variant({ leaf: IDL.Nat, node: IDL.Record({ left: Tree, right: Tree }) }));
const Chat = IDL.Record({ text: IDL.Text, count: IDL.Nat32, tags: IDL.Vec(IDL.Text) });
const Mixed = IDL.Record({
  who: IDL.Principal,
  pair: IDL.Tuple(IDL.Int, IDL.Opt(IDL.Text)),
  kind: IDL.Variant({ a: IDL.Null, b: IDL.Vec(IDL.Nat8), c: IDL.Float64 }),
  tree: Tree,
  flag: IDL.Bool,
  maybe: IDL.Opt(Chat),
});

const cases: [string, IDL.Type, unknown][] = [
  ['text', IDL.Text, 'héllo'],
  ['a chat record', Chat, { text: 'hi', count: 3, tags: ['x', 'yz'] }],
  [
    'a record of every kind of type, recursive too',
    Mixed,
    {
      who: Principal.fromUint8Array(new Uint8Array(29).fill(1)),
      pair: [-5n, ['t']],
      kind: { b: Uint8Array.of(1, 2) },
      tree: { node: { left: { leaf: 1n }, right: { node: { left: { leaf: 2n }, right: { leaf: 3n } } } } },
      flag: true,
      maybe: [{ text: 'in', count: 0, tags: [] }],
    },
  ],
];

function outcome(run: () => unknown): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: run() };
  } catch {
    return { ok: false };
  }
}

describe('CandidValueDecoder', () => {
  it.each(cases)('decodes %s as IDL.decode does', (_name, type, value) => {
    const bytes = new Uint8Array(IDL.encode([type], [value]));
    expect(new CandidValueDecoder(type).decode(bytes)).toEqual(IDL.decode([type], bytes)[0]);
  });

  it('decodes other encodings of the type (another table: a subtype with an extra field) through IDL.decode', () => {
    const Wider = IDL.Record({ text: IDL.Text, count: IDL.Nat32, tags: IDL.Vec(IDL.Text), extra: IDL.Nat });
    const bytes = new Uint8Array(IDL.encode([Wider], [{ text: 'a', count: 1, tags: [], extra: 9n }]));
    expect(new CandidValueDecoder(Chat).decode(bytes)).toEqual({ text: 'a', count: 1, tags: [] });
  });

  it('refuses what IDL.decode refuses (trailing, truncated, another type) and a vector of a zero-sized type', () => {
    const decoder = new CandidValueDecoder(Chat);
    const bytes = new Uint8Array(IDL.encode([Chat], [{ text: 'hi', count: 3, tags: ['x'] }]));
    for (const bad of [Uint8Array.from([...bytes, 0]), bytes.subarray(0, bytes.length - 1), new Uint8Array(IDL.encode([IDL.Text], ['x']))]) {
      expect(outcome(() => decoder.decode(bad)).ok).toBe(false);
      expect(outcome(() => IDL.decode([Chat], bad)).ok).toBe(false);
    }
    // A hostile table: @dfinity/candid would loop over its 2^32 nulls.
    const hostile = Uint8Array.of(...new TextEncoder().encode('DIDL'), 1, 0x6d, 0x7f, 1, 0, 0xff, 0xff, 0xff, 0xff, 0x0f);
    expect(() => new CandidValueDecoder(IDL.Vec(IDL.Null)).decode(hostile)).toThrow(/zero-sized/);
  });

  it('agrees with IDL.decode on random mutations: same value, or both refuse', () => {
    for (const [, type, value] of cases) {
      const decoder = new CandidValueDecoder(type);
      const valid = new Uint8Array(IDL.encode([type], [value]));
      fc.assert(
        fc.property(
          fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 }), fc.nat({ max: 3 })).map(([at, mask, how]) => {
            const i = at % valid.length;
            if (how === 0) return valid.slice(0, i);
            const out = valid.slice();
            out[i] = (out[i] as number) ^ mask;
            return out;
          }),
          (mutated) => {
            // The generic path, guard included (a mutated table may declare a vector of a zero-sized type).
            const theirs = outcome(() => {
              assertNoZeroSizedVectors(mutated);
              return IDL.decode([type], mutated)[0];
            });
            const ours = outcome(() => decoder.decode(mutated));
            expect(ours).toEqual(theirs);
          },
        ),
        { numRuns: 600 },
      );
    }
  });
});
