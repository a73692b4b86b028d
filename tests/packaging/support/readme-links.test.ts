import { describe, expect, it } from 'vitest';
import { readmeLinkProblems } from './readme-links';

describe('readmeLinkProblems', () => {
  const files = new Set(['README.md', 'package.json', 'dist/index.js']);

  it('accepts absolute links, anchors, shipped files, and paths inside fenced code', () => {
    const readme = [
      'See [the protocol](https://github.com/ic-ws/ic-ws/blob/main/docs/protocol.md) and [options](#options).',
      '[`tests/x.test.ts`](https://github.com/ic-ws/ic-ws/blob/main/packages/client/tests/x.test.ts) and [dist](./dist/index.js)',
      '[ref]: https://example.org/page',
      '```sh',
      'npx tsx bench/x.bench.ts   # only in a clone',
      '```',
    ].join('\n');
    expect(readmeLinkProblems(readme, files)).toEqual([]);
  });

  it('flags relative links out of the package and mentions of files it does not ship', () => {
    const readme = [
      'Part of [ic-ws](../../README.md); see [docs](../../docs/protocol.md#codes).',
      'The tests in `tests/support/fake.ts` and `bench/results/x.json`; ![logo](logo.png)',
    ].join('\n');
    expect(readmeLinkProblems(readme, files)).toEqual([
      'link to ../../README.md: not absolute, and not a file of the package',
      'link to ../../docs/protocol.md#codes: not absolute, and not a file of the package',
      'link to logo.png: not absolute, and not a file of the package',
      'mentions `tests/support/fake.ts`, which the package does not ship (link it absolutely or drop it)',
      'mentions `bench/results/x.json`, which the package does not ship (link it absolutely or drop it)',
    ]);
  });
});
