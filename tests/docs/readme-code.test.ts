/**
 * README code compiles (issue [templates], acceptance 3): every TypeScript block of README.md,
 * packages/*\/README.md, examples/*\/README.md and docs/*.md is type-checked with `strict`, as a user's
 * module importing the packages. A block that is deliberately partial carries
 * `<!-- readme-check: skip (why) -->` on the line before its fence; those are listed and kept few.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractCodeBlocks, importedPackages, installedPackages, markdownFiles, repositoryCodeBlocks } from './support/code-blocks';
import { typecheckBlocks } from './support/typecheck-blocks';

const root = join(import.meta.dirname, '..', '..');
const MAX_SKIPPED = 3;

describe('README and docs code blocks', () => {
  const blocks = repositoryCodeBlocks(root);
  const checked = blocks.filter((block) => block.skipReason === null);

  it('are found in the READMEs and docs', () => {
    const files = new Set(blocks.map((block) => block.file));
    for (const file of ['packages/client/README.md', 'packages/gateway/README.md', 'packages/canister/README.md', 'packages/devnet/README.md', 'packages/protocol/README.md']) {
      expect(files, `${file} has a TypeScript block`).toContain(file);
    }
  });

  it('type-check with strict, each as its own module', async () => {
    const { diagnostics, otherErrors } = await typecheckBlocks(root, join(import.meta.dirname, '.blocks'), checked);
    expect(otherErrors, 'errors outside the blocks (configuration or dependencies)').toEqual([]);
    expect(diagnostics.map((d) => `${d.where}: ${d.message}`)).toEqual([]);
  }, 120_000);

  it('skip only deliberately partial blocks, each with its reason, and few', () => {
    const skipped = blocks.filter((block) => block.skipReason !== null);
    for (const block of skipped) expect(block.skipReason!.trim().length, `${block.file}:${block.line}`).toBeGreaterThan(10);
    expect(skipped.length).toBeLessThanOrEqual(MAX_SKIPPED);
  });
});

describe('install lines', () => {
  it('name every package the examples of their README import', () => {
    const missing: string[] = [];
    let readmesWithInstall = 0;
    for (const file of markdownFiles(root)) {
      const text = readFileSync(join(root, file), 'utf8');
      const installed = installedPackages(text);
      if (installed.size === 0) continue;
      readmesWithInstall++;
      for (const block of extractCodeBlocks(file, text)) {
        for (const name of importedPackages(block.code)) if (!installed.has(name)) missing.push(`${file}:${block.line}: imports ${name}, not in the install line`);
      }
    }
    expect(readmesWithInstall).toBeGreaterThanOrEqual(5);
    expect(missing).toEqual([]);
  });

  it('are read as a user would read them (checker test)', () => {
    const text = ['```sh', 'npm install ic-ws-client @dfinity/agent@^3.4.3 --save # and so on', 'pnpm add -D azle@0.33.0', '```', '```ts', "import x from 'y';", '```'].join('\n');
    expect([...installedPackages(text)]).toEqual(['ic-ws-client', '@dfinity/agent', 'azle']);
    expect([...importedPackages("import { a } from '@dfinity/candid/lib/x';\nimport type { B } from 'ic-ws-canister/azle';\nimport 'side';\nimport fs from 'node:fs';\nconst m = await import('./local');")]).toEqual([
      '@dfinity/candid',
      'ic-ws-canister',
      'side',
    ]);
  });
});

describe('the checker itself', () => {
  it('catches a wrong type, a missing import and an unknown export, at their Markdown lines', async () => {
    const markdown = [
      '# broken',
      '',
      '```ts',
      "import { IcWebSocket } from 'ic-ws-client';",
      "const n: number = 'text';",
      'new IcWebSocket({});',
      'undeclared();',
      '```',
      '',
      '<!-- readme-check: skip (a fragment of the example above, for illustration) -->',
      '```ts',
      'this is not TypeScript',
      '```',
      '',
      '```sh',
      'npm install',
      '```',
    ].join('\n');
    const blocks = extractCodeBlocks('broken.md', markdown);
    expect(blocks.map((b) => [b.line, b.skipReason])).toEqual([
      [4, null],
      [12, 'a fragment of the example above, for illustration'],
    ]);
    const { diagnostics } = await typecheckBlocks(root, join(import.meta.dirname, '.blocks-negative'), blocks.filter((b) => b.skipReason === null));
    const where = diagnostics.map((d) => d.where.replace(/:\d+$/, ''));
    expect(where).toEqual(expect.arrayContaining(['broken.md:5', 'broken.md:6', 'broken.md:7']));
    expect(diagnostics.find((d) => d.where.startsWith('broken.md:5'))?.message).toMatch(/TS2322/);
  }, 120_000);

  it('refuses a fence left open', () => {
    expect(() => extractCodeBlocks('open.md', '```ts\nconst a = 1;\n')).toThrow(/open.md:1: code fence never closed/);
  });
});
