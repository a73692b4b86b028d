import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyBytes } from './key-bytes';

describe('KeyBytes', () => {
  it('gives the UTF-8 bytes of any key, whether its prefix was seen before or not', () => {
    const keys = new KeyBytes();
    const key = fc.oneof(
      fc.string(),
      fc.tuple(fc.constantFrom('gw-a_', 'gw-b_', 'é_x_'), fc.string({ unit: 'binary' })).map(([prefix, rest]) => prefix + rest),
    );
    fc.assert(
      fc.property(fc.array(key, { maxLength: 20 }), (list) => {
        for (const text of list) expect(keys.encode(text)).toEqual(new TextEncoder().encode(text));
      }),
    );
  });
});
