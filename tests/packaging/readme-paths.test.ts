/**
 * Acceptance 2 of issue [templates]: the READMEs' paths, followed word for word in a folder outside the
 * workspace, with plain npm and the packed packages (through the local registry, as published):
 * - the canister README: its install lines, its dfx.json, its complete canister as `src/index.ts`, its
 *   tsconfig (tsc, strict) and its build command;
 * - the client README: its install line, its example as a page's module, bundled by Vite.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startLocalRegistry, type LocalRegistry } from './support/local-registry';
import { repoRoot } from './support/packed-app';
import { userEnv } from './support/user-env';

let registry: LocalRegistry;
let work: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  registry = await startLocalRegistry(inject('tarballs'));
  work = await mkdtemp(join(tmpdir(), 'ic-ws-readme-paths-'));
  env = userEnv(registry.url, inject('npmCache'));
});

afterAll(async () => {
  await registry?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

/** The fenced blocks of `lang` in the README section titled `title`, in order. */
async function sectionBlocks(readme: string, title: string, lang: string): Promise<string[]> {
  const text = await readFile(join(repoRoot, readme), 'utf8');
  const start = text.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`${readme} has no section '${title}'`);
  const end = text.indexOf('\n## ', start + 1);
  const section = text.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((match) => match[1]!);
}

/** Runs each line of a README shell block in `cwd`, as a user types them. */
async function typeLines(block: string, cwd: string): Promise<string> {
  let output = '';
  for (const line of block.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'))) {
    const { stdout, stderr } = await promisify(execFile)('sh', ['-c', line], { cwd, env, timeout: 600_000, maxBuffer: 32 * 1024 * 1024 }).catch((error: { message: string; stdout?: string; stderr?: string }) => {
      throw new Error(`\`${line}\` failed: ${error.message}\n${error.stdout ?? ''}\n${error.stderr ?? ''}`);
    });
    output += stdout + stderr;
  }
  return output;
}

describe('the canister README, word for word', () => {
  it('install, dfx.json, the complete canister, tsc with strict, and the build command give a canister', async () => {
    const dir = join(work, 'canister-app');
    await mkdir(join(dir, 'src'), { recursive: true });
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'canister-app', private: true, type: 'module' }, null, 2));
    const readme = 'packages/canister/README.md';
    const [install] = await sectionBlocks(readme, 'Install', 'sh');
    await typeLines(install!, dir);
    const [dfxJson] = await sectionBlocks(readme, 'Build', 'json');
    await writeFile(join(dir, 'dfx.json'), dfxJson!);
    const [canister] = await sectionBlocks(readme, 'A complete canister', 'ts');
    await writeFile(join(dir, 'src', 'index.ts'), canister!);
    const [tsconfig] = await sectionBlocks(readme, 'A complete canister', 'json');
    expect(JSON.parse(tsconfig!)).toMatchObject({ compilerOptions: { strict: true } });
    await writeFile(join(dir, 'tsconfig.json'), tsconfig!);

    await typeLines('npx tsc -p tsconfig.json', dir);
    const [build] = await sectionBlocks(readme, 'Build', 'sh');
    const output = await typeLines(build!, dir);
    const name = Object.keys((JSON.parse(dfxJson!) as { canisters: Record<string, unknown> }).canisters)[0]!;
    expect(output).toContain(`${name}: .azle/${name}/${name}.wasm`);
    expect((await readFile(join(dir, '.azle', name, `${name}.wasm`))).subarray(0, 4)).toEqual(Buffer.from([0, 0x61, 0x73, 0x6d]));
    expect(await readFile(join(dir, '.azle', name, `${name}.did`), 'utf8')).toMatch(/connections\s*:\s*\(\)\s*->\s*\(nat32\)\s*query/);
    expect(registry.served()['ic-ws-canister']).toBeGreaterThan(0);
  });
});

describe('the client README, word for word', () => {
  it('its install line alone lets Vite bundle its example for the browser', async () => {
    const dir = join(work, 'client-app');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'client-app', private: true, type: 'module' }, null, 2));
    const readme = 'packages/client/README.md';
    const [install] = await sectionBlocks(readme, 'Install', 'sh');
    await typeLines(install!, dir);
    const [example] = await sectionBlocks(readme, 'Example', 'ts');
    await writeFile(join(dir, 'main.ts'), example!);
    await writeFile(join(dir, 'index.html'), '<!doctype html><html><body><script type="module" src="/main.ts"></script></body></html>\n');
    // Vite is the bundler under test, not a dependency of the example.
    const output = await typeLines('npm install --no-save vite@8.4.0\nnpx vite build', dir);
    expect(output).not.toMatch(/externalized for browser compatibility|error/i);
    const assets = join(dir, 'dist', 'assets');
    const bundle = (await Promise.all((await readdir(assets)).filter((f) => f.endsWith('.js')).map((f) => readFile(join(assets, f), 'utf8')))).join('\n');
    expect(bundle).toContain('gateway-1.example.org');
    expect(bundle).toContain('INVALID_OPTIONS');
    expect(registry.served()['ic-ws-client']).toBeGreaterThan(0);
  });
});
