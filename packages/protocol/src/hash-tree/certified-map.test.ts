import { sha256 } from '@noble/hashes/sha256';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode, ProtocolError } from '../errors';
import { CertifiedMap, labeledRootHash } from './certified-map';
import { empty, emptyHash, labeled, lookupPath, NodeType, reconstruct, type HashTree } from './hash-tree';
import { decodeHashTree, encodeHashTree } from './hash-tree-cbor';
import { compareBytes } from './label-bytes';

const value = (seed: string): Uint8Array => sha256(utf8ToBytes(seed));
const hex = bytesToHex;

function depth(tree: HashTree): number {
  if (tree[0] === NodeType.Fork) return 1 + Math.max(depth(tree[1]), depth(tree[2]));
  if (tree[0] === NodeType.Labeled) return 1 + depth(tree[2]);
  return 1;
}

function expectCode(run: () => unknown, code: string): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).code).toBe(code);
    return;
  }
  throw new Error('expected a ProtocolError');
}

describe('CertifiedMap basics', () => {
  it('starts empty: hash of Empty, Empty tree, every key provably absent', () => {
    const map = new CertifiedMap();
    expect(map.size).toBe(0);
    expect(map.rootHash()).toEqual(emptyHash());
    expect(map.tree()).toEqual(empty());
    expect(map.firstKey()).toBeUndefined();
    expect(lookupPath(labeled('websocket', map.witness(['k'])), ['websocket', 'k'])).toEqual({ status: 'absent' });
  });

  it('sets, replaces, gets and deletes', () => {
    const map = new CertifiedMap();
    map.set('a', value('1')).set(utf8ToBytes('b'), value('2'));
    expect(map.size).toBe(2);
    expect(map.get(utf8ToBytes('a'))).toEqual(value('1'));
    expect(map.has('b')).toBe(true);
    const before = map.rootHash();
    map.set('a', value('3'));
    expect(map.size).toBe(2);
    expect(map.get('a')).toEqual(value('3'));
    expect(map.rootHash()).not.toEqual(before);
    expect(map.delete('zz')).toBe(false);
    expect(map.delete('a')).toBe(true);
    expect(map.has('a')).toBe(false);
    expect(map.get('a')).toBeUndefined();
    expect(map.size).toBe(1);
    map.clear();
    expect(map.size).toBe(0);
    expect(map.rootHash()).toEqual(emptyHash());
  });

  it('rejects values that are not 32 bytes and keys that are too long', () => {
    const map = new CertifiedMap();
    for (const bad of [new Uint8Array(31), new Uint8Array(33), new Uint8Array(0)]) expectCode(() => map.set('k', bad), ErrorCode.OutOfRange);
    expectCode(() => map.set('k', 'x'.repeat(32) as unknown as Uint8Array), ErrorCode.OutOfRange);
    expectCode(() => map.set(new Uint8Array(1025), value('v')), ErrorCode.FieldTooLarge);
    expect(map.size).toBe(0);
  });

  it('copies keys and values in and out', () => {
    const map = new CertifiedMap();
    const key = utf8ToBytes('key');
    const v = value('v');
    map.set(key, v);
    const hash = map.rootHash();
    key[0] = 0;
    v[0] = (v[0] ?? 0) ^ 1;
    (map.get('key') as Uint8Array)[1] = 0;
    (map.firstKey() as Uint8Array)[0] = 0;
    map.rootHash()[0] = 0;
    expect(map.get('key')).toEqual(value('v'));
    expect(map.rootHash()).toEqual(hash);
  });

  it('orders keys bytewise and iterates from any key', () => {
    const map = new CertifiedMap();
    const keys = ['c', 'ba', 'b', 'a', '\u00ff', 'bb', ''];
    for (const k of keys) map.set(k, value(k));
    const ordered = [...map.keys()].map((k) => new TextDecoder().decode(k));
    expect(ordered).toEqual(['', 'a', 'b', 'ba', 'bb', 'c', '\u00ff']);
    expect([...map.entries()].map(([k, v]) => [new TextDecoder().decode(k), hex(v)])).toEqual(ordered.map((k) => [k, hex(value(k))]));
    const from = (start: string): string[] => [...map.keysFrom(start)].map((k) => new TextDecoder().decode(k));
    expect(from('b')).toEqual(['b', 'ba', 'bb', 'c', '\u00ff']);
    expect(from('b0')).toEqual(['ba', 'bb', 'c', '\u00ff']);
    expect(from('\u00ff\u00ff')).toEqual([]);
    expect([...map.entriesFrom('bb')].map(([, v]) => hex(v))).toEqual([hex(value('bb')), hex(value('c')), hex(value('\u00ff'))]);
    expect(new TextDecoder().decode(map.firstKey())).toBe('');
    expect(new TextDecoder().decode(map.lastKey())).toBe('\u00ff');
  });

  it('keeps iterating correctly when the map changes underneath', () => {
    const map = new CertifiedMap();
    const pad = (i: number): string => `k${String(i).padStart(3, '0')}`;
    for (let i = 0; i < 200; i++) map.set(pad(i), value(String(i)));
    const seen: string[] = [];
    for (const key of map.keysFrom(pad(10))) {
      const name = new TextDecoder().decode(key);
      seen.push(name);
      const i = Number(name.slice(1));
      map.delete(name); // the usual queue clean-up: drop what was just read
      map.delete(pad(i + 1)); // and one not yet reached
      if (i === 50) map.set('k0505', value('new'));
    }
    const expected = Array.from({ length: 95 }, (_, j) => pad(10 + 2 * j));
    expected.splice(expected.indexOf(pad(50)) + 1, 0, 'k0505');
    expect(seen).toEqual(expected);
    expect(map.size).toBe(10);
  });

  it('appends (keys above every other) give the map any insertion order gives, and keep it ordered', () => {
    const keys = Array.from({ length: 300 }, (_, i) => `gateway-principal-text_${String(i).padStart(20, '0')}`);
    const appended = new CertifiedMap();
    const reversed = new CertifiedMap();
    for (const key of keys) appended.set(key, value(key));
    for (const key of [...keys].reverse()) reversed.set(key, value(key));
    // Interleave appends with deletes at the front, as a queue does.
    for (let i = 0; i < 50; i++) {
      appended.delete(keys[i] as string);
      reversed.delete(keys[i] as string);
    }
    expect(hex(appended.rootHash())).toBe(hex(reversed.rootHash()));
    expect([...appended.keys()].map((k) => new TextDecoder().decode(k))).toEqual(keys.slice(50));
    expect(encodeHashTree(appended.witness([keys[100] as string]))).toEqual(encodeHashTree(reversed.witness([keys[100] as string])));
  });

  it('stays shallow under sequential inserts', () => {
    const map = new CertifiedMap();
    const n = 4096;
    for (let i = 0; i < n; i++) map.set(String(i).padStart(6, '0'), value(String(i)));
    // A treap with hashed priorities is about 3 log2(n) nodes deep at worst (an unbalanced tree would be n);
    // each node adds at most two forks, plus the label and the leaf at the bottom.
    expect(depth(map.tree())).toBeLessThanOrEqual(2 * 3 * Math.log2(n) + 2);
    expect(reconstruct(map.tree())).toEqual(map.rootHash());
  });

  it('labeledRootHash is the hash of the map under a label', () => {
    const map = new CertifiedMap();
    for (let i = 0; i < 20; i++) map.set(`gw_${i}`, value(String(i)));
    expect(labeledRootHash('websocket', map)).toEqual(reconstruct(labeled('websocket', map.tree())));
    const witness = labeled('websocket', map.witness(['gw_3']));
    expect(reconstruct(witness)).toEqual(labeledRootHash('websocket', map));
    expect(lookupPath(witness, ['websocket', 'gw_3'])).toEqual({ status: 'found', value: value('3') });
    expect(lookupPath(witness, ['websocket', 'gw_4']).status).toBe('unknown');
  });
});

// --- properties ---

const keyArb = fc.uint8Array({ minLength: 0, maxLength: 3, max: 3 });
const valueArb = fc.uint8Array({ minLength: 32, maxLength: 32 });
type Op = { kind: 'set'; key: Uint8Array; value: Uint8Array } | { kind: 'delete'; key: Uint8Array } | { kind: 'check' };
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), key: keyArb, value: valueArb }),
  fc.record({ kind: fc.constant('delete' as const), key: keyArb }),
  // The map hashes lazily: checking mid-sequence catches a change that failed to mark a cached hash stale.
  fc.record({ kind: fc.constant('check' as const) }),
);

/** Applies `ops` to a CertifiedMap and to a plain Map model (hex key -> value). */
function build(ops: readonly Op[]): { map: CertifiedMap; model: Map<string, Uint8Array> } {
  const map = new CertifiedMap();
  const model = new Map<string, Uint8Array>();
  for (const op of ops) {
    if (op.kind === 'set') {
      map.set(op.key, op.value);
      model.set(hex(op.key), op.value);
    } else if (op.kind === 'delete') {
      expect(map.delete(op.key)).toBe(model.delete(hex(op.key)));
    } else {
      expect(hex(map.rootHash())).toBe(hex(reconstruct(map.tree())));
    }
  }
  return { map, model };
}

const opsArb = fc.array(opArb, { maxLength: 120 });
const askedArb = fc.uniqueArray(keyArb, { maxLength: 12, selector: hex });

describe('CertifiedMap properties', () => {
  it('matches a model map, in order, with rootHash = reconstruct(tree)', () => {
    fc.assert(
      fc.property(opsArb, (ops) => {
        const { map, model } = build(ops);
        expect(map.size).toBe(model.size);
        const expected = [...model.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [k, hex(v)]);
        expect([...map.entries()].map(([k, v]) => [hex(k), hex(v)])).toEqual(expected);
        expect(map.rootHash()).toEqual(reconstruct(map.tree()));
        // The smallest and largest entries are tracked through every insert and delete.
        expect(map.firstKey() === undefined ? undefined : hex(map.firstKey()!)).toBe(expected[0]?.[0]);
        expect(map.lastKey() === undefined ? undefined : hex(map.lastKey()!)).toBe(expected.at(-1)?.[0]);
      }),
    );
  });

  it('has a root hash independent of history (deletes included)', () => {
    fc.assert(
      fc.property(opsArb, fc.integer(), (ops, seed) => {
        const { map, model } = build(ops);
        const fresh = new CertifiedMap();
        const entries = [...model.entries()];
        // A different insertion order: rotate by a random amount and reverse.
        const shift = entries.length === 0 ? 0 : Math.abs(seed) % entries.length;
        for (const [k, v] of [...entries.slice(shift), ...entries.slice(0, shift)].reverse()) fresh.set(hexToKey(k), v);
        expect(hex(fresh.rootHash())).toBe(hex(map.rootHash()));
      }),
    );
  });

  it('witnesses reveal exactly the asked keys and prove the missing ones absent', () => {
    fc.assert(
      fc.property(opsArb, askedArb, (ops, asked) => {
        const { map, model } = build(ops);
        const witness = map.witness(asked);
        expect(hex(reconstruct(witness))).toBe(hex(map.rootHash()));
        // Survives the strict decoder (so it is well-formed) unchanged.
        expect(decodeHashTree(encodeHashTree(witness))).toEqual(witness);
        const askedHex = new Set(asked.map(hex));
        for (const key of asked) {
          const stored = model.get(hex(key));
          expect(lookupPath(witness, [key])).toEqual(stored ? { status: 'found', value: stored } : { status: 'absent' });
        }
        for (const [k] of model) {
          if (!askedHex.has(k)) expect(lookupPath(witness, [hexToKey(k)]).status).toBe('unknown');
        }
      }),
    );
  });

  it('a range witness is the witness of every key of the range', () => {
    fc.assert(
      fc.property(opsArb, fc.nat(), fc.nat(), (ops, a, b) => {
        const { map } = build(ops);
        const keys = [...map.keys()];
        if (keys.length === 0) {
          expect(() => map.witnessRange(Uint8Array.of(1), Uint8Array.of(1))).toThrow(ProtocolError);
          return;
        }
        const [i, j] = [a % keys.length, b % keys.length].sort((x, y) => x - y) as [number, number];
        const range = map.witnessRange(keys[i] as Uint8Array, keys[j] as Uint8Array);
        expect(encodeHashTree(range)).toEqual(encodeHashTree(map.witness(keys.slice(i, j + 1))));
        if (i < j) expect(() => map.witnessRange(keys[j] as Uint8Array, keys[i] as Uint8Array)).toThrow(ProtocolError);
      }),
    );
  });

  it('witnesses of present keys hold no Empty inside a fork, which agent-js lookups stop at (ic-websocket-js interop)', () => {
    const emptyInFork = (tree: HashTree): boolean =>
      tree[0] === NodeType.Fork
        ? tree[1][0] === NodeType.Empty || tree[2][0] === NodeType.Empty || emptyInFork(tree[1]) || emptyInFork(tree[2])
        : tree[0] === NodeType.Labeled && emptyInFork(tree[2]);
    fc.assert(
      fc.property(opsArb, askedArb, (ops, asked) => {
        const { map } = build(ops);
        const present = asked.filter((k) => map.has(k));
        const witness = map.witness(present);
        expect(emptyInFork(witness)).toBe(false);
        expect(hex(reconstruct(witness))).toBe(hex(map.rootHash()));
      }),
    );
    // The first entry of a queue, the case that broke ic-websocket-js: before the fix, fork(Empty, ...).
    const map = new CertifiedMap();
    for (const n of ['0', '1', '2']) map.set(`gw_0000000000000000000${n}`, value(n));
    expect(emptyInFork(map.witness(['gw_00000000000000000000', 'gw_00000000000000000001']))).toBe(false);
  });

  it('a witness without a key does not reveal it', () => {
    fc.assert(
      fc.property(opsArb, askedArb, (ops, asked) => {
        const { map } = build(ops);
        const present = asked.filter((k) => map.has(k));
        fc.pre(present.length > 0);
        const [dropped, ...kept] = present as [Uint8Array, ...Uint8Array[]];
        const witness = map.witness(kept);
        expect(lookupPath(witness, [dropped]).status).toBe('unknown');
      }),
    );
  });

  it('a flipped bit in an encoded witness is caught', () => {
    fc.assert(
      fc.property(opsArb, askedArb, fc.nat(), (ops, asked, bitSeed) => {
        const { map } = build(ops);
        const present = asked.filter((k) => map.has(k));
        fc.pre(present.length > 0);
        const root = labeledRootHash('websocket', map);
        const bytes = encodeHashTree(labeled('websocket', map.witness(present)));
        const bit = bitSeed % (bytes.length * 8);
        const tampered = bytes.slice();
        tampered[bit >> 3] = (tampered[bit >> 3] as number) ^ (1 << (bit & 7));
        let tree: HashTree;
        try {
          tree = decodeHashTree(tampered);
        } catch (error) {
          expect(error).toBeInstanceOf(ProtocolError);
          return;
        }
        const sameRoot = hex(reconstruct(tree)) === hex(root);
        const allRevealed = present.every((k) => {
          const result = lookupPath(tree, ['websocket', k]);
          return result.status === 'found' && hex(result.value) === hex(map.get(k) as Uint8Array);
        });
        expect(sameRoot && allRevealed).toBe(false);
      }),
    );
  });

  it('iterates from any start key like a sorted model', () => {
    fc.assert(
      fc.property(opsArb, keyArb, (ops, start) => {
        const { map, model } = build(ops);
        const expected = [...model.keys()].map(hexToKey).filter((k) => compareBytes(k, start) >= 0).sort(compareBytes).map(hex);
        expect([...map.keysFrom(start)].map(hex)).toEqual(expected);
      }),
    );
  });
});

function hexToKey(h: string): Uint8Array {
  return Uint8Array.from(h.match(/../g) ?? [], (byte) => parseInt(byte, 16));
}
