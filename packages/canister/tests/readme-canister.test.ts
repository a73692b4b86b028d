/**
 * The canister README's examples are code: its complete canister and its `onStart` example are extracted
 * exactly as printed, type-checked with the README's own tsconfig (`strict`, plus paths that point the
 * packages at this repository's sources), and the complete canister is built with azle, its .did checked
 * against the protocol, installed in the devnet and called. Its testing example runs (tsx) and prints what
 * its comments say.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Actor, HttpAgent } from '@dfinity/agent';
import { describe, expect, it } from 'vitest';
import { wsServiceDid } from 'ic-ws-protocol';
import { buildAzleCanister, startDevnet } from 'ic-ws-devnet';
import { didMethodSignatures } from './support/did-signatures';

const execFileAsync = promisify(execFile);
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const packageDir = here('..');
const repoRoot = here('../../..');
// Inside the package, so that azle and @dfinity/* resolve from its node_modules as they would in an app.
const outDir = join(packageDir, 'test-output', 'readme');
const requireFromRoot = createRequire(join(repoRoot, 'package.json'));
const tscBin = join(requireFromRoot.resolve('typescript/package.json'), '..', 'bin', 'tsc');
const tsxCli = join(requireFromRoot.resolve('tsx/package.json'), '..', 'dist', 'cli.mjs');

/** The fenced blocks of `lang` in the README section titled `title`, in order. */
async function readmeBlocks(title: string, lang: string): Promise<string[]> {
  const readme = await readFile(join(packageDir, 'README.md'), 'utf8');
  const start = readme.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`README.md has no section '${title}'`);
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((match) => match[1] as string);
}

/** A project folder with `source` as src/index.ts and the README's tsconfig pointed at this repository. */
async function project(name: string, source: string): Promise<string> {
  const [tsconfigText] = await readmeBlocks('A complete canister', 'json');
  const tsconfig = JSON.parse(tsconfigText as string) as { compilerOptions: Record<string, unknown> };
  tsconfig.compilerOptions.baseUrl = repoRoot;
  tsconfig.compilerOptions.paths = {
    'ic-ws-protocol': ['packages/protocol/src/index.ts'],
    'ic-ws-canister': ['packages/canister/src/index.ts'],
    'ic-ws-canister/azle': ['packages/canister/src/azle/index.ts'],
    'ic-ws-canister/testing': ['packages/canister/src/testing/index.ts'],
  };
  const dir = join(outDir, name);
  await rm(join(dir, 'src'), { recursive: true, force: true });
  await mkdir(join(dir, 'src'), { recursive: true });
  await writeFile(join(dir, 'src', 'index.ts'), source);
  await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  await writeFile(join(dir, 'dfx.json'), JSON.stringify({ canisters: { [name]: { type: 'azle', main: 'src/index.ts' } } }));
  return dir;
}

async function tsc(dir: string): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout } = await execFileAsync(process.execPath, [tscBin, '-p', join(dir, 'tsconfig.json')], { cwd: dir });
    return { ok: true, output: stdout };
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

describe('the canister README', () => {
  it('its complete canister is at most 15 lines of code', async () => {
    const [complete] = await readmeBlocks('A complete canister', 'ts');
    const code = (complete as string).split('\n').filter((line) => line.trim() !== '' && !line.trim().startsWith('//'));
    expect(code.length).toBeLessThanOrEqual(15);
    expect(complete).toMatch(/defineWsCanister/);
  });

  it('its canister examples type-check under strict exactly as printed', async () => {
    const blocks = (await readmeBlocks('A complete canister', 'ts')).filter((block) => block.includes('defineWsCanister'));
    expect(blocks).toHaveLength(2);
    for (const [i, block] of blocks.entries()) {
      const result = await tsc(await project(`readme_${i}`, block));
      expect(result.output, `block ${i}`).toBe('');
      expect(result.ok).toBe(true);
    }
  }, 120_000);

  it('the check catches a message of the wrong type (so a passing check means something)', async () => {
    const [complete] = await readmeBlocks('A complete canister', 'ts');
    const broken = (complete as string).replace('ws.broadcast(message)', 'ws.broadcast({ txt: message.text })');
    expect(broken).not.toBe(complete);
    const result = await tsc(await project('readme_broken', broken));
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/src\/index\.ts\(\d+,\d+\): error TS2561/);
  }, 120_000);

  it('its testing example type-checks and runs: the fakes open a client, verify its messages and see the ack', async () => {
    const [example] = await readmeBlocks('Testing your canister', 'ts');
    const dir = await project('readme_testing', example as string);
    expect((await tsc(dir)).output).toBe('');
    const { stdout } = await execFileAsync(process.execPath, [tsxCli, 'src/index.ts'], { cwd: dir });
    expect(stdout.trim().split('\n')).toEqual(["[ 'OpenMessage' ] welcome", "[ [ 'AckMessage' ] ]"]);
  }, 120_000);

  it('its complete canister builds with the protocol Candid, installs and answers', async () => {
    const [complete] = await readmeBlocks('A complete canister', 'ts');
    const dir = await project('readme_canister', complete as string);
    const built = await buildAzleCanister({
      dfxJsonDir: dir,
      name: 'readme_canister',
      extraInputs: [join(packageDir, 'src'), join(repoRoot, 'packages', 'protocol', 'src')],
    });
    const generated = didMethodSignatures(await readFile(built.didPath, 'utf8'));
    const spec = didMethodSignatures(wsServiceDid('record { text : text }'));
    for (const name of ['ws_open', 'ws_close', 'ws_message', 'ws_get_messages']) expect(generated.get(name), name).toBe(spec.get(name));
    expect(generated.get('connections')).toBe('() -> (nat32) query');

    const devnet = await startDevnet({ time: 'manual' });
    try {
      const canisterId = await devnet.install({ wasm: new Uint8Array(await readFile(built.wasmPath)) });
      await devnet.tick();
      const agent = await HttpAgent.create({ host: devnet.url, shouldFetchRootKey: true, retryTimes: 0 });
      const actor = Actor.createActor<{ connections(): Promise<number> }>(
        ({ IDL }) => IDL.Service({ connections: IDL.Func([], [IDL.Nat32], ['query']) }),
        { agent, canisterId },
      );
      expect(await actor.connections()).toBe(0);
    } finally {
      await devnet.close();
    }
  }, 300_000);
});
