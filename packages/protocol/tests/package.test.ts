/**
 * Packaging as users get it: build, `npm pack`, install the tarball into an empty folder, then import it
 * from Node ESM and CJS, and bundle it with esbuild for a neutral platform (browsers, Azle's QuickJS) to
 * prove no Node built-in leaks in.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const packageDir = join(import.meta.dirname, '..');
let work: string;
let installDir: string;

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'ic-ws-protocol-pack-'));
  run('pnpm', ['exec', 'tsup', '--silent'], packageDir);
  run('npm', ['pack', '--pack-destination', work], packageDir);
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error('npm pack produced no tarball');
  installDir = join(work, 'app');
  run('mkdir', ['-p', installDir], work);
  writeFileSync(join(installDir, 'package.json'), JSON.stringify({ name: 'app', private: true }));
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', join(work, tarball)], installDir);
}, 180_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('ic-ws-protocol as a packed tarball', () => {
  it('imports from Node ESM', () => {
    writeFileSync(join(installDir, 'esm.mjs'), `import * as p from 'ic-ws-protocol';\nconsole.log(JSON.stringify(Object.keys(p).sort()));\n`);
    const exported = JSON.parse(run('node', ['esm.mjs'], installDir)) as string[];
    expect(exported).toContain('ProtocolError');
    expect(exported).toContain('encodeWebsocketMessage');
    expect(exported).toContain('CertifiedMap');
  });

  it('requires from Node CJS with the same exports', () => {
    writeFileSync(join(installDir, 'cjs.cjs'), `const p = require('ic-ws-protocol');\nconsole.log(JSON.stringify(Object.keys(p).sort()));\n`);
    writeFileSync(join(installDir, 'esm-keys.mjs'), `import * as p from 'ic-ws-protocol';\nconsole.log(JSON.stringify(Object.keys(p).filter((k) => k !== 'default').sort()));\n`);
    const cjs = JSON.parse(run('node', ['cjs.cjs'], installDir)) as string[];
    const esm = JSON.parse(run('node', ['esm-keys.mjs'], installDir)) as string[];
    expect(cjs).toEqual(esm);
  });

  it('bundles for platform neutral without any Node built-in import', async () => {
    const nodeBuiltins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    const result = await build({
      stdin: { contents: `export * from 'ic-ws-protocol';`, resolveDir: installDir },
      bundle: true,
      platform: 'neutral',
      mainFields: ['module', 'main'],
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const imported = Object.values(result.metafile.inputs).flatMap((input) => input.imports.map((i) => i.path));
    expect(imported.filter((path) => nodeBuiltins.has(path))).toEqual([]);
    const externals = Object.values(result.metafile.outputs).flatMap((o) => o.imports.map((i) => i.path));
    expect(externals).toEqual([]);
  });
});
