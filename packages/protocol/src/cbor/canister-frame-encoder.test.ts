import { Principal } from '@dfinity/principal';
import { describe, expect, it } from 'vitest';
import { formatOutgoingKey } from '../key';
import { CanisterFrameEncoder } from './canister-frame-encoder';
import { decodeCanisterMessageFrame, encodeCanisterMessageFrame } from './frames';

const gateway = Principal.fromUint8Array(new Uint8Array(29).fill(0x42));
const bytes = (length: number, seed: number) => Uint8Array.from({ length }, (_, i) => (i * 7 + seed) & 0xff);
// Every CBOR head width: immediate (< 24), one, two and four length bytes, at each boundary.
const SIZES = [0, 1, 23, 24, 255, 256, 65_535, 65_536, 70_000];

/** Index of the first byte where `a` and `b` differ (-1 when equal): cheap where a deep toEqual of 70 kB is not. */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : length;
}

describe('CanisterFrameEncoder', () => {
  it('writes the bytes encodeCanisterMessageFrame writes, for every length width of each field', () => {
    for (const certSize of SIZES) {
      for (const treeSize of [0, 23, 256, 65_536]) {
        const cert = bytes(certSize, 1);
        const tree = bytes(treeSize, 2);
        const encoder = new CanisterFrameEncoder(cert, tree);
        for (const contentSize of SIZES) {
          const key = formatOutgoingKey(gateway, BigInt(contentSize));
          const content = bytes(contentSize, 3);
          expect(firstDifference(encoder.encode(key, content), encodeCanisterMessageFrame({ key, content, cert, tree }))).toBe(-1);
        }
      }
    }
  });

  it('encodes keys of any length and non-ASCII text as UTF-8, like the generic encoder', () => {
    const encoder = new CanisterFrameEncoder(bytes(10, 1), bytes(10, 2));
    for (const key of ['', 'k', 'x'.repeat(23), 'x'.repeat(24), 'x'.repeat(300), 'clé_é', '🦀_00000000000000000001']) {
      const content = bytes(5, 9);
      expect(firstDifference(encoder.encode(key, content), encodeCanisterMessageFrame({ key, content, cert: bytes(10, 1), tree: bytes(10, 2) }))).toBe(-1);
    }
  });

  it('makes frames the client decodes back to the same fields, each frame its own copy', () => {
    const cert = bytes(1_300, 1);
    const tree = bytes(220, 2);
    const encoder = new CanisterFrameEncoder(cert, tree);
    const key = formatOutgoingKey(gateway, 7n);
    const first = encoder.encode(key, bytes(64, 3));
    const second = encoder.encode(key, bytes(64, 4));
    expect(decodeCanisterMessageFrame(first)).toEqual({ key, content: bytes(64, 3), cert, tree });
    expect(decodeCanisterMessageFrame(second).content).toEqual(bytes(64, 4));
    first.fill(0);
    expect(decodeCanisterMessageFrame(second)).toEqual({ key, content: bytes(64, 4), cert, tree });
  });

  it('writes a batch into one buffer, each frame the bytes of its message', () => {
    const cert = bytes(300, 1);
    const tree = bytes(30, 2);
    const messages = [0, 1, 100, 30_000].map((size, i) => ({ key: formatOutgoingKey(gateway, BigInt(i)), content: bytes(size, i) }));
    const frames = new CanisterFrameEncoder(cert, tree).encodeAll(messages);
    expect(frames.map((frame) => frame.buffer)).toEqual(frames.map(() => frames[0]!.buffer));
    messages.forEach((message, i) => {
      expect(firstDifference(frames[i]!, encodeCanisterMessageFrame({ ...message, cert, tree }))).toBe(-1);
    });
    expect(new CanisterFrameEncoder(cert, tree).encodeAll([])).toEqual([]);
  });

  it('refuses a field too large for a four-byte CBOR length instead of writing a wrong frame', () => {
    const encoder = new CanisterFrameEncoder(bytes(1, 1), bytes(1, 2));
    const huge = { length: 2 ** 32 } as Uint8Array;
    expect(() => encoder.encode('k', huge)).toThrow(expect.objectContaining({ code: 'OUT_OF_RANGE' }));
  });
});
