import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CertifiedTreeMap } from './certified-tree-map';
import { labeled, labeledForest, leaf, lookupPath, reconstruct, type HashTree } from './hash-tree';

const hex = bytesToHex;

function status(text: string, reply?: Uint8Array): HashTree {
  const fields: [string, HashTree][] = [['status', leaf(utf8ToBytes(text))]];
  if (reply) fields.push(['reply', leaf(reply)]);
  return labeledForest(fields);
}

describe('CertifiedTreeMap', () => {
  it('reveals nested paths of asked keys, proves others absent, same root hash as the whole map', () => {
    const map = new CertifiedTreeMap();
    const ids = Array.from({ length: 50 }, (_, i) => Uint8Array.of(i * 2, 7));
    ids.forEach((id, i) => map.set(id, status(i % 2 ? 'replied' : 'processing', Uint8Array.of(i))));
    map.set(ids[3] as Uint8Array, status('replied', Uint8Array.of(99)));
    const asked = [ids[3] as Uint8Array, Uint8Array.of(1, 1), Uint8Array.of(255)];
    const witness = map.witness(asked);
    expect(hex(reconstruct(witness))).toBe(hex(map.rootHash()));
    expect(hex(reconstruct(map.tree()))).toBe(hex(map.rootHash()));
    const root = labeled('request_status', witness);
    expect(lookupPath(root, ['request_status', ids[3] as Uint8Array, 'reply'])).toEqual({ status: 'found', value: Uint8Array.of(99) });
    expect(lookupPath(root, ['request_status', Uint8Array.of(1, 1), 'status']).status).toBe('absent');
    expect(lookupPath(root, ['request_status', Uint8Array.of(255), 'status']).status).toBe('absent');
    expect(lookupPath(root, ['request_status', ids[5] as Uint8Array, 'status']).status).toBe('unknown');
  });

  it('keeps the root hash of its contents whatever the order of changes', () => {
    const entryArb = fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 3, max: 5 }), fc.string({ maxLength: 4 }));
    fc.assert(
      fc.property(fc.array(entryArb, { maxLength: 60 }), fc.integer(), (entries, seed) => {
        const model = new Map<string, [Uint8Array, string]>();
        const forward = new CertifiedTreeMap();
        for (const [key, text] of entries) {
          forward.set(key, status(text));
          model.set(hex(key), [key, text]);
        }
        const shuffled = [...model.values()].sort((a, b) => ((hex(a[0]).length * 31 + seed) % 7) - ((hex(b[0]).length * 31 + seed) % 7));
        const rebuilt = new CertifiedTreeMap();
        for (const [key, text] of shuffled) rebuilt.set(key, status(text));
        expect(hex(rebuilt.rootHash())).toBe(hex(forward.rootHash()));
        expect(hex(forward.rootHash())).toBe(hex(reconstruct(forward.tree())));
        for (const [key, text] of model.values()) {
          expect(lookupPath(forward.witness([key]), [key, 'status'])).toEqual({ status: 'found', value: utf8ToBytes(text) });
        }
      }),
    );
  });
});

describe('CertifiedTreeMap with compact values', () => {
  it('builds subtrees from its values: same root hash, witness and tree as a map of the trees themselves', () => {
    const compact = new CertifiedTreeMap<{ text: string; reply: number }>((value) => status(value.text, Uint8Array.of(value.reply)));
    const trees = new CertifiedTreeMap();
    for (let i = 0; i < 40; i++) {
      const key = Uint8Array.of(i * 3, 1);
      compact.set(key, { text: i % 3 ? 'replied' : 'rejected', reply: i });
      trees.set(key, status(i % 3 ? 'replied' : 'rejected', Uint8Array.of(i)));
    }
    compact.delete(Uint8Array.of(9, 1));
    trees.delete(Uint8Array.of(9, 1));
    expect(hex(compact.rootHash())).toBe(hex(trees.rootHash()));
    const asked = [Uint8Array.of(12, 1), Uint8Array.of(9, 1), Uint8Array.of(200)];
    expect(compact.witness(asked)).toEqual(trees.witness(asked));
    expect(compact.tree()).toEqual(trees.tree());
    const kept = { text: 'replied', reply: 5 };
    compact.set(Uint8Array.of(7), kept);
    expect(compact.get(Uint8Array.of(7))).toBe(kept);
    expect(lookupPath(compact.witness([Uint8Array.of(7)]), [Uint8Array.of(7), 'reply'])).toEqual({ status: 'found', value: Uint8Array.of(5) });
  });
});
