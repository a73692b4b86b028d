/**
 * The browser bundle stays small and Node-free: src/index.ts is bundled the way an app's bundler would
 * (minified, browser platform, ESM with code splitting, peers external), gzipped, and compared with
 * `sizeBudget` in package.json. The WebAssembly BLS verifier is loaded with a dynamic `import()`, so it is a
 * separate chunk fetched when a socket is created: the budget covers what the page loads up front, and the
 * chunk's own size is printed and bounded so it cannot slip into the entry unnoticed.
 */
import { build, type Metafile, type Plugin } from 'esbuild';
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  sizeBudget: { maxGzipBytes: number; maxWasmChunkGzipBytes: number };
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

/** The entry chunk and every chunk it imports statically: what a page loads before any socket exists. */
function upFront(metafile: Metafile, entry: string): Set<string> {
  const files = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const imported of metafile.outputs[file]!.imports) if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
  };
  visit(entry);
  return files;
}

describe('browser bundle', () => {
  it('imports no Node built-in, fits the gzip budget up front, and loads the WebAssembly verifier as its own chunk', async () => {
    const result = await build({
      entryPoints: [fileURLToPath(new URL('../src/index.ts', import.meta.url))],
      bundle: true,
      minify: true,
      splitting: true,
      platform: 'browser',
      format: 'esm',
      outdir: 'out',
      write: false,
      metafile: true,
      external: [...Object.keys(packageJson.peerDependencies), '@dfinity/*', 'isomorphic-ws'],
      plugins: [plugin],
      logLevel: 'silent',
    });
    const metafile = result.metafile;
    const gzipOf = (file: string) => gzipSync(result.outputFiles.find((output) => output.path.endsWith(`/${file}`))!.contents).length;
    const entry = Object.keys(metafile.outputs).find((file) => metafile.outputs[file]!.entryPoint !== undefined)!;
    const initial = upFront(metafile, entry);
    const lazy = Object.keys(metafile.outputs).filter((file) => !initial.has(file) && file.endsWith('.js'));
    const initialGzip = [...initial].reduce((sum, file) => sum + gzipOf(file), 0);
    const wasmChunk = lazy.find((file) => Object.keys(metafile.outputs[file]!.inputs).some((input) => input.includes('mcl-wasm')));
    expect(wasmChunk, 'a lazily loaded chunk holds mcl-wasm').toBeDefined();
    const wasmChunkBytes = metafile.outputs[wasmChunk!]!.bytes;
    const wasmChunkGzip = gzipOf(wasmChunk!);
    console.log(
      `ic-ws-client browser bundle: ${initialGzip} bytes gzipped up front (budget ${packageJson.sizeBudget.maxGzipBytes}); ` +
        `WebAssembly BLS verifier chunk, loaded on demand: ${wasmChunkBytes} bytes, ${wasmChunkGzip} gzipped`,
    );
    expect(nodeImports).toEqual([]);
    for (const file of initial) {
      expect(Object.keys(metafile.outputs[file]!.inputs).filter((input) => input.includes('mcl-wasm')), `${file} is loaded up front`).toEqual([]);
    }
    expect(initialGzip).toBeLessThanOrEqual(packageJson.sizeBudget.maxGzipBytes);
    expect(wasmChunkGzip).toBeLessThanOrEqual(packageJson.sizeBudget.maxWasmChunkGzipBytes);
    // A bundle this small would mean the entry point lost its content: the budget is meant to bind.
    expect(initialGzip).toBeGreaterThan(packageJson.sizeBudget.maxGzipBytes / 2);
  });
});
