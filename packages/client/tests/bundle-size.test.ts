/**
 * The browser bundle stays small and Node-free: src/index.ts is bundled the way an app's bundler would
 * (minified, browser platform, peers external), gzipped, and compared with `sizeBudget` in package.json.
 */
import { build, type Plugin } from 'esbuild';
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  sizeBudget: { maxGzipBytes: number };
  peerDependencies: Record<string, string>;
};
const protocolSource = fileURLToPath(new URL('../../protocol/src/index.ts', import.meta.url));
const nodeBuiltins = new Set([...builtinModules, ...builtinModules.map((name) => `node:${name}`)]);
const nodeImports: string[] = [];

// Workspace sources, as in tests; and a record of any Node built-in the bundle would need.
const plugin: Plugin = {
  name: 'ic-ws-bundle-check',
  setup(b) {
    b.onResolve({ filter: /^ic-ws-protocol$/ }, () => ({ path: protocolSource }));
    b.onResolve({ filter: /.*/ }, (args) => {
      if (!nodeBuiltins.has(args.path)) return undefined;
      nodeImports.push(`${args.path} (from ${args.importer})`);
      return { path: args.path, external: true };
    });
  },
};

describe('browser bundle', () => {
  it('imports no Node built-in and fits the gzip budget in package.json', async () => {
    const result = await build({
      entryPoints: [fileURLToPath(new URL('../src/index.ts', import.meta.url))],
      bundle: true,
      minify: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      external: [...Object.keys(packageJson.peerDependencies), '@dfinity/*', 'isomorphic-ws'],
      plugins: [plugin],
      logLevel: 'silent',
    });
    const bundle = result.outputFiles[0]!.contents;
    const gzipBytes = gzipSync(bundle).length;
    console.log(`ic-ws-client browser bundle: ${bundle.length} bytes, ${gzipBytes} gzipped (budget ${packageJson.sizeBudget.maxGzipBytes})`);
    expect(nodeImports).toEqual([]);
    expect(gzipBytes).toBeLessThanOrEqual(packageJson.sizeBudget.maxGzipBytes);
    // A bundle this small would mean the entry point lost its content: the budget is meant to bind.
    expect(gzipBytes).toBeGreaterThan(packageJson.sizeBudget.maxGzipBytes / 2);
  });
});
