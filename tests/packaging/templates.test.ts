/**
 * Acceptance 1 of issue [templates]: each template as a user gets it. In a folder outside the workspace,
 * with plain npm and nothing from the workspace but the packed tarballs (a local registry serves them under
 * their published names and passes every other package on to the public registry):
 * `npm create ic-ws@latest` (the packed create-ic-ws), `npm install`, `npm run build`, `npm test`, then
 * `npm run dev` until its ready line, a message round trip from a Node ic-ws-client through it, and Ctrl-C:
 * exit 0, nothing left running. No file of a scaffolded project contains `workspace:` or a path that leaves
 * its folder.
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runDfxAzleBuild } from './support/dfx-azle-build';
import { startLocalRegistry, type LocalRegistry } from './support/local-registry';
import { repoRoot, run } from './support/packed-app';
import { processesMatching } from './support/processes';
import { projectProblems } from './support/project-files';
import { userEnv } from './support/user-env';

let registry: LocalRegistry;
let work: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  registry = await startLocalRegistry(inject('tarballs'));
  work = await mkdtemp(join(tmpdir(), 'ic-ws-templates-'));
  env = userEnv(registry.url, inject('npmCache'));
});

afterAll(async () => {
  await registry?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

/** How each template's canister is named, and how its own client makes a round trip through `npm run dev`. */
const TEMPLATES = [
  { template: 'minimal', canister: 'minimal', frontend: false },
  { template: 'ping-pong', canister: 'ping_pong', frontend: false },
  { template: 'chat', canister: 'chat', frontend: true },
] as const;

async function roundTrip(template: string, dir: string): Promise<string> {
  if (template === 'minimal') {
    const { stdout } = await run('npm', ['start', '--', 'from the tarballs'], { cwd: dir, env, timeoutMs: 60_000 });
    expect(stdout).toMatch(/^received \(verified\): echo: from the tarballs$/m);
    return 'echo';
  }
  if (template === 'ping-pong') {
    const { stdout } = await run('npm', ['start', '--', '--pings', '3'], { cwd: dir, env, timeoutMs: 60_000 });
    expect(stdout).toMatch(/^3 round trips: median \d+\.\d ms/m);
    return 'pong';
  }
  await copyFile(join(import.meta.dirname, 'template-clients', 'chat-round-trip.mjs'), join(dir, 'round-trip.mjs'));
  const { stdout } = await run('node', ['round-trip.mjs'], { cwd: dir, env, timeoutMs: 60_000 });
  expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toMatchObject({ posted: expect.stringContaining('from the tarballs') });
  return 'posted';
}

describe.each(TEMPLATES)('the $template template, from the tarballs with plain npm', ({ template, canister, frontend }) => {
  let dir: string;

  it('npm create ic-ws@latest writes a project that depends only on published packages and keeps inside its folder', async () => {
    const name = `my-${template}`;
    dir = join(work, name);
    const { stdout } = await run('npm', ['create', 'ic-ws@latest', name, '--', '--template', template], { cwd: work, env, timeoutMs: 120_000 });
    expect(stdout).toContain(`cd ${name} && npm install\n  npm run dev`);
    expect(registry.served()['create-ic-ws']).toBeGreaterThan(0);
    expect(await projectProblems(dir)).toEqual([]);
    const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { name: string; dependencies: Record<string, string>; devDependencies: Record<string, string> };
    const { version } = JSON.parse(await readFile(join(repoRoot, 'packages', 'create-ic-ws', 'package.json'), 'utf8')) as { version: string };
    expect(manifest.name).toBe(name);
    for (const [dependency, range] of Object.entries({ ...manifest.dependencies, ...manifest.devDependencies })) {
      if (dependency.startsWith('ic-ws-')) expect(`${dependency}@${range}`).toBe(`${dependency}@${version}`);
    }
    expect(await readFile(join(dir, '.npmrc'), 'utf8')).toContain('ignore-scripts=true');
  });

  it('npm install', { timeout: 900_000 }, async () => {
    await run('npm', ['install'], { cwd: dir, env, timeoutMs: 900_000 });
    for (const name of ['ic-ws-client', 'ic-ws-devnet', 'ic-ws-gateway']) {
      const installed = JSON.parse(await readFile(join(dir, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
      expect(installed.version).toMatch(/^\d+\.\d+\.\d+/);
    }
    // The project's .npmrc is in force: azle's install script (dfx, writes outside the project) did not run.
    const { stdout } = await run('npm', ['config', 'get', 'ignore-scripts'], { cwd: dir, env });
    expect(stdout.trim()).toBe('true');
  });

  it('npm run build: the canister offline (and the frontend)', async () => {
    const { stdout } = await run('npm', ['run', 'build'], { cwd: dir, env, timeoutMs: 600_000 });
    expect(stdout).toContain(`${canister}: .azle/${canister}/${canister}.wasm`);
    expect(existsSync(join(dir, '.azle', canister, `${canister}.did`))).toBe(true);
    if (frontend) expect(existsSync(join(dir, 'dist', 'index.html'))).toBe(true);
  });

  it("the build dfx runs (azle's dfx extension command, as `npm run deploy` would) succeeds in the project", async () => {
    const dfxJson = JSON.parse(await readFile(join(dir, 'dfx.json'), 'utf8')) as { canisters: Record<string, { type: string; main: string }> };
    const entry = dfxJson.canisters[canister]!;
    expect(entry.type).toBe('azle');
    await rm(join(dir, '.azle', canister), { recursive: true, force: true });
    const { wasm, did, command } = await runDfxAzleBuild(dir, canister, entry.main, env);
    expect(command).toMatch(/npm --offline --prefix=\S+ exec azle build /);
    expect((await readFile(wasm)).subarray(0, 4)).toEqual(Buffer.from([0, 0x61, 0x73, 0x6d]));
    expect(await readFile(did, "utf8")).toMatch(/ws_get_messages\s*:.* query;/);
  });

  it('npm test: its canister tests against the devnet', async () => {
    const { stdout } = await run('npm', ['test'], { cwd: dir, env, timeoutMs: 900_000 });
    const summary = stdout.replace(/\x1b\[[0-9;]*m/g, '');
    expect(summary).toMatch(/Tests\s+\d+ passed \(\d+\)/);
    expect(summary).not.toMatch(/Tests\s+.*\d+ (failed|skipped)/);
  });

  it('npm run dev: the ready line, a round trip from a Node ic-ws-client, and a clean Ctrl-C', async () => {
    const dev = spawn('npm', ['run', 'dev', '--', '--port', '0', '--json'], { cwd: dir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const exited = new Promise<number | null>((resolve) => dev.on('exit', (code) => resolve(code)));
    try {
      const ready = await new Promise<{ canisterIds: Record<string, string>; frontendUrl: string | null }>((resolve, reject) => {
        dev.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const line = output.split('\n').find((l) => l.startsWith('{"'));
          if (line !== undefined) resolve(JSON.parse(line) as { canisterIds: Record<string, string>; frontendUrl: string | null });
        });
        dev.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
        void exited.then((code) => reject(new Error(`npm run dev exited (${code}) before its ready line:\n${output}`)));
      });
      expect(Object.keys(ready.canisterIds)).toEqual([canister]);
      if (frontend) expect(await (await fetch(`${ready.frontendUrl}/config.json`)).json()).toMatchObject({ canisterId: ready.canisterIds[canister] });
      else expect(ready.frontendUrl).toBeNull();
      await roundTrip(template, dir);

      process.kill(-dev.pid!, 'SIGINT');
      expect(await exited, output).toBe(0);
      expect(output).not.toMatch(/ELIFECYCLE|npm error/);
      await expect.poll(() => processesMatching(dir), { timeout: 15_000 }).toEqual([]);
      expect(existsSync(join(dir, '.ic-ws', 'dev.json'))).toBe(false);
    } finally {
      if (dev.exitCode === null) process.kill(-dev.pid!, 'SIGKILL');
    }
  });
});
