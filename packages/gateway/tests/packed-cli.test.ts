/**
 * The CLI as users get it: build ic-ws-protocol and ic-ws-gateway with tsup, `pnpm pack` both (which turns
 * `workspace:*` into a version), install the two tarballs with npm into an empty folder, then run
 * `npx ic-ws-gateway --help` and start the installed gateway once. Needs the npm registry for the
 * third-party dependencies.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_FLAGS } from '../src/options/cli-flags';

const run = promisify(execFile);
// As in an empty folder: pnpm's bin shims (vitest's included) put the workspace's hoisted packages on
// NODE_PATH, which would let the installed gateway resolve packages it does not declare.
const { NODE_PATH: _workspacePath, ...cleanEnv } = process.env;
const packagesDir = join(import.meta.dirname, '..', '..');
let work: string;
let app: string;

async function buildAndPack(dir: string): Promise<string> {
  await run('pnpm', ['exec', 'tsup', '--silent'], { cwd: join(packagesDir, dir) });
  const before = new Set(await readdir(work));
  await run('pnpm', ['pack', '--pack-destination', work], { cwd: join(packagesDir, dir) });
  const tarball = (await readdir(work)).find((f) => f.endsWith('.tgz') && !before.has(f));
  if (tarball === undefined) throw new Error(`pnpm pack produced no tarball in ${dir}`);
  return join(work, tarball);
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'ic-ws-gateway-pack-'));
  const protocol = await buildAndPack('protocol');
  const gateway = await buildAndPack('gateway');
  app = join(work, 'app');
  await mkdir(app);
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true }));
  await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', protocol, gateway], { cwd: app, env: cleanEnv });
}, 600_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('ic-ws-gateway installed from its packed tarball', () => {
  it('depends on ic-ws-protocol by version, not workspace:*', async () => {
    const manifest = JSON.parse(await readFile(join(app, 'node_modules', 'ic-ws-gateway', 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(manifest.dependencies['ic-ws-protocol']).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('`npx ic-ws-gateway --help` prints every flag and its environment variable', async () => {
    // npm_config_yes=false: never fetch a package of that name from the registry, use the installed bin.
    const { stdout } = await run('npx', ['ic-ws-gateway', '--help'], { cwd: app, env: { ...cleanEnv, npm_config_yes: 'false' } });
    expect(stdout).toContain('Usage: ic-ws-gateway');
    for (const spec of GATEWAY_FLAGS) {
      expect(stdout).toContain(`--${spec.flag}`);
      expect(stdout).toContain(spec.env);
    }
    expect(stdout).toContain('--help');
  });

  it('starts without its dev-only dependencies (pino-pretty) and exits 0 on SIGTERM', async () => {
    expect(existsSync(join(app, 'node_modules', 'pino-pretty'))).toBe(false);
    const child = spawn(join(app, 'node_modules', '.bin', 'ic-ws-gateway'), ['--listen', '127.0.0.1:0', '--admin-listen', '', '--ic-url', 'http://127.0.0.1:9'], {
      cwd: app,
      env: { ...cleanEnv, IC_WS_IDENTITY_FILE: join(work, 'id.pem') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    let stdout = '';
    const listening = new Promise<void>((resolve) =>
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('listening on')) resolve();
      }),
    );
    await Promise.race([listening, exited.then((code) => Promise.reject(new Error(`exited ${code} before listening`)))]);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('falls back to JSON logs on a terminal when pino-pretty is not installed', async () => {
    const cli = join(app, 'node_modules', 'ic-ws-gateway', 'dist', 'cli.js');
    const probe = `require('node:module').createRequire(${JSON.stringify(cli)}).resolve('pino-pretty')`;
    expect(spawnSync(process.execPath, ['-e', probe], { cwd: app, env: cleanEnv }).status, 'pino-pretty must not be resolvable from the installed gateway').not.toBe(0);
    // `script` runs the gateway with a pseudo-terminal as stdout, where it would use pino-pretty if present.
    const command = `${join(app, 'node_modules', '.bin', 'ic-ws-gateway')} --listen 127.0.0.1:0 --admin-listen '' --ic-url http://127.0.0.1:9`;
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      cwd: app,
      env: { ...cleanEnv, IC_WS_IDENTITY_FILE: join(work, 'id.pem') },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    let stdout = '';
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const found = stdout.split(/\r?\n/).find((l) => l.includes('listening on'));
        if (found) resolve(found);
      });
      void exited.then(() => reject(new Error(`exited before listening: ${stdout}`)));
    });
    process.kill(-child.pid!, 'SIGTERM');
    await exited;
    expect(line, `not a JSON log line; output:\n${stdout}`).toMatch(/^\{/);
    expect(JSON.parse(line)).toMatchObject({ name: 'ic-ws-gateway', msg: expect.stringContaining('listening on ws://127.0.0.1:') });
  });
});
