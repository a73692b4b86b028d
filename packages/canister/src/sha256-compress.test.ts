import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loopCompress } from '../bench/support/sha256-loop-compress';
import { GENERATED_MARKER, sha256CompressSource } from '../scripts/sha256-compress-source';
import { compress } from './sha256-compress';

describe('sha256-compress', () => {
  it('is the code its generator writes, from the marker on (rewrite: scripts/write-sha256-compress.ts)', () => {
    const file = readFileSync(fileURLToPath(new URL('./sha256-compress.ts', import.meta.url)), 'utf8');
    const at = file.indexOf(GENERATED_MARKER);
    expect(at).toBeGreaterThan(0);
    expect(file.slice(at)).toBe(sha256CompressSource());
  });

  it('folds blocks into a state as the rounds in loops do (the benchmark compares the two forms)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 64, maxLength: 64 * 3 }), fc.array(fc.integer(), { minLength: 8, maxLength: 8 }), (data, start) => {
        const written = Int32Array.from(start);
        const looped = Int32Array.from(start);
        for (let at = 0; at + 64 <= data.length; at += 64) {
          compress(written, data, at);
          loopCompress(looped, data, at);
        }
        expect(written).toEqual(looped);
      }),
      { numRuns: 200 },
    );
  });
});
