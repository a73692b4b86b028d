import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyDelta, diffBytes, diffCanister, emptyImage, IMAGE_PAGE_BYTES, type CanisterImage, type LiveCanisterState } from './canister-image';
import { decodeCheckpoint, decodeJournalRecord, encodeCheckpoint, encodeJournalRecord } from './state-codec';

function live(image: Partial<LiveCanisterState> & { heap: Uint8Array }): LiveCanisterState {
  return {
    id: Uint8Array.of(1),
    moduleHash: 'ab'.repeat(32),
    wasm: Uint8Array.of(0, 97, 115, 109),
    globals: [1048576, -5n],
    stable: { chunks: new Map(), pages: 0 },
    certifiedData: new Uint8Array(),
    globalTimer: 0n,
    version: 1n,
    settings: { controllers: [Uint8Array.of(4)], status: 'running', chunks: [] },
    ...image,
  };
}

describe('diffBytes', () => {
  it('finds exactly the changed bytes, merging close ones, and treats growth beyond the base as fresh zeros', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 3 * IMAGE_PAGE_BYTES + 17 }).map((b) => b.map((x) => (x < 200 ? 0 : x))),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 40 }),
        fc.nat({ max: IMAGE_PAGE_BYTES + 5 }),
        (base, writes, growth) => {
          const current = new Uint8Array(base.length + growth);
          current.set(base);
          for (const [at, value] of writes) if (current.length > 0) current[at % current.length] = value;
          const rebuilt = new Uint8Array(current.length);
          rebuilt.set(base);
          for (const [offset, bytes] of diffBytes(base, current)) rebuilt.set(bytes, offset);
          expect(Buffer.compare(rebuilt, current)).toBe(0);
          const written = diffBytes(base, current).reduce((sum, [, bytes]) => sum + bytes.length, 0);
          expect(written).toBeLessThanOrEqual(writes.length * 33 + 1);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('diffCanister and applyDelta', () => {
  it('bring an image to the live state, through the journal encoding, and find nothing the second time', () => {
    const heap = new Uint8Array(2 * IMAGE_PAGE_BYTES);
    heap.set([1, 2, 3], 70_000);
    const chunk = new Uint8Array(IMAGE_PAGE_BYTES).fill(9, 100, 200);
    const state = live({ heap, stable: { chunks: new Map([[3, chunk]]), pages: 1100 }, certifiedData: Uint8Array.of(7), globalTimer: 5n });
    const image: CanisterImage = emptyImage(state.id);
    const delta = diffCanister(image, state, new Map());
    expect(delta).toBeDefined();
    const [roundTripped] = decodeJournalRecord(encodeJournalRecord({ timeNs: 1n, nextIndex: 2n, changed: [delta!], deleted: [] })).changed;
    applyDelta(image, roundTripped!);
    expect(Buffer.compare(image.heap, heap)).toBe(0);
    expect(image.globals).toEqual([1048576, -5n]);
    expect(image.stablePages).toBe(1100);
    expect(Buffer.compare(image.stableChunks.get(3)!, chunk)).toBe(0);
    expect(image.certifiedData).toEqual(Uint8Array.of(7));
    expect(image.globalTimer).toBe(5n);
    expect(image.moduleHash).toBe(state.moduleHash);
    expect(diffCanister(image, state, new Map([[3, chunk]]))).toBeUndefined();

    // One byte of the heap and one of stable memory change (the chunk is replaced, as executions do).
    heap[5] = 1;
    const chunk2 = chunk.slice();
    chunk2[0] = 42;
    const next = live({ ...state, heap, stable: { chunks: new Map([[3, chunk2]]), pages: 1100 } });
    const small = diffCanister(image, next, new Map([[3, chunk]]))!;
    expect(small.heap).toEqual([[5, Uint8Array.of(1)]]);
    expect(small.stableChunks).toEqual([[3, [[0, Uint8Array.of(42)]]]]);
    expect(diffCanister(image, next, new Map([[3, chunk]]), { memory: false })).toBeUndefined();
  });

  it('round-trips a whole image through a checkpoint, all-zero pages left out', () => {
    const image = emptyImage(Uint8Array.of(1, 2));
    applyDelta(image, diffCanister(image, live({ heap: new Uint8Array(5 * IMAGE_PAGE_BYTES).fill(3, 200_000, 200_010) }), new Map())!);
    const bytes = encodeCheckpoint({ journal: 4, timeNs: 1_800_000_000_000_000_000n, nextIndex: 3n, canisters: [image], names: new Map([['chat', Uint8Array.of(1, 2)]]) });
    expect(bytes.length).toBeLessThan(2 * IMAGE_PAGE_BYTES);
    const decoded = decodeCheckpoint(bytes);
    expect(decoded.journal).toBe(4);
    expect(decoded.names).toEqual(new Map([['chat', Uint8Array.of(1, 2)]]));
    expect(decoded.timeNs).toBe(1_800_000_000_000_000_000n);
    expect(Buffer.compare(decoded.canisters[0]!.heap, image.heap)).toBe(0);
    expect(decoded.canisters[0]!.globals).toEqual(image.globals);
    expect(() => decodeCheckpoint(Uint8Array.of(0xa0))).toThrow(/STATE_DIR_INVALID|checkpoint/);
  });
});
