import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { CertifiedMap, certifiedMessagesRootHash, encodeMessagesWitness, reconstruct, decodeHashTree } from 'ic-ws-protocol';
import { describe, expect, it } from 'vitest';
import { interpreterSha256, interpreterSha256Into } from './sha256';

const reference = (data: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(data).digest());

describe('interpreterSha256', () => {
  it('matches node:crypto on every length across the padding boundaries, up to four blocks', () => {
    for (let length = 0; length <= 260; length++) {
      const data = Uint8Array.from({ length }, (_, i) => (i * 131 + length) & 0xff);
      expect(interpreterSha256(data), `length ${length}`).toEqual(reference(data));
    }
  });

  it('matches node:crypto on random inputs, given whole or in parts', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 700 }), { maxLength: 4 }), (parts) => {
        const whole = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
        parts.reduce((at, part) => (whole.set(part, at), at + part.length), 0);
        const out = new Uint8Array(32).fill(9);
        expect(interpreterSha256Into(out, parts)).toBe(out);
        expect(out).toEqual(reference(whole));
      }),
      { numRuns: 300 },
    );
  });

  it('matches node:crypto when inputs share their first block (the state after it is reused)', () => {
    const prefixes = [new Uint8Array(64), new Uint8Array(64).fill(1), Uint8Array.from({ length: 64 }, (_, i) => i)];
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(2), fc.uint8Array({ maxLength: 100 })), { maxLength: 12 }), (inputs) => {
        for (const [which, rest] of inputs) {
          const data = new Uint8Array(64 + rest.length);
          data.set(prefixes[which] as Uint8Array);
          data.set(rest, 64);
          expect(interpreterSha256(data)).toEqual(reference(data));
          expect(interpreterSha256(data.subarray(0, 63 + (rest.length % 2)))).toEqual(reference(data.subarray(0, 63 + (rest.length % 2))));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('gives a certified map the same root hash and witnesses as the default hash', () => {
    const fast = new CertifiedMap({ sha256: interpreterSha256Into });
    const slow = new CertifiedMap();
    for (let i = 0; i < 200; i++) {
      const key = `gateway_${String(i).padStart(20, '0')}`;
      const value = reference(Uint8Array.of(i));
      fast.set(key, value);
      slow.set(key, value);
      if (i % 7 === 3) {
        fast.delete(`gateway_${String(i - 2).padStart(20, '0')}`);
        slow.delete(`gateway_${String(i - 2).padStart(20, '0')}`);
      }
    }
    expect(certifiedMessagesRootHash(fast)).toEqual(certifiedMessagesRootHash(slow));
    const keys = ['gateway_00000000000000000100', 'gateway_00000000000000000101'];
    expect(reconstruct(decodeHashTree(encodeMessagesWitness(fast, keys)))).toEqual(reconstruct(decodeHashTree(encodeMessagesWitness(slow, keys))));
  });
});
