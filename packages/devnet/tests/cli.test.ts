/**
 * The `ic-ws-devnet` CLI as a separate process: two `--install`ed canisters, ONE JSON ready line on stdout,
 * an agent in this (other) process calls both, SIGTERM exits 0 within a second.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Actor, HttpAgent } from '@dfinity/agent';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCounter, counterInitArg } from './canisters/counter-fixture';
import { counterIdlFactory, type CounterActor } from './canisters/counter-idl';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const FIXED_ID = 'rkp4c-7iaaa-aaaaa-aaaca-cai';

let work: string;
let cli: ChildProcessWithoutNullStreams;
let ready: { url: string; rootKey: string; canisters: Record<string, string> };
let stderr = '';
const stdoutLines: string[] = [];

/** Runs the CLI from source (tsx resolves the workspace packages through tsconfig paths). */
function startCli(args: string[]): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: packageDir, stdio: 'pipe' });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return child;
}

async function exitOf(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const [code] = (await once(child, 'exit')) as [number | null];
  return code;
}

beforeAll(async () => {
  const { wasmPath } = await buildCounter();
  work = mkdtempSync(join(tmpdir(), 'ic-ws-devnet-cli-'));
  copyFileSync(wasmPath, join(work, 'alpha.wasm'));
  copyFileSync(wasmPath, join(work, 'beta.wasm'));
  cli = startCli([
    '--port', '0',
    '--verbose',
    '--install', join(work, 'alpha.wasm'), '--init-arg-hex', hex(counterInitArg('alpha')),
    '--install', `${join(work, 'beta.wasm')}=${FIXED_ID}`, '--init-arg-hex', hex(counterInitArg('beta')),
  ]);
  const lines = createInterface({ input: cli.stdout });
  lines.on('line', (line) => stdoutLines.push(line));
  const [first] = (await Promise.race([
    once(lines, 'line'),
    exitOf(cli).then((code) => Promise.reject(new Error(`ic-ws-devnet exited with ${code}: ${stderr}`))),
  ])) as [string];
  ready = JSON.parse(first);
}, 180_000);

afterAll(() => {
  if (cli?.exitCode === null) cli.kill('SIGKILL');
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('ic-ws-devnet CLI', () => {
  it('prints one JSON ready line with the url, the DER root key and both canisters', () => {
    expect(ready.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(ready.rootKey).toMatch(/^308182301d060d2b0601040182dc7c0503010201060c2b0601040182dc7c05030201036100[0-9a-f]{192}$/);
    expect(ready.canisters).toEqual({ 'alpha.wasm': 'rwlgt-iiaaa-aaaaa-aaaaa-cai', 'beta.wasm': FIXED_ID });
    expect(stdoutLines).toHaveLength(1);
    expect(stderr).toContain('installed alpha.wasm');
  });

  it('serves both canisters to an agent in another process', async () => {
    const agent = await HttpAgent.create({ host: ready.url, identity: Ed25519KeyIdentity.generate(), shouldFetchRootKey: true, verifyQuerySignatures: true });
    expect(Buffer.from(agent.rootKey!).toString('hex')).toBe(ready.rootKey);
    const alpha = Actor.createActor<CounterActor>(counterIdlFactory, { agent, canisterId: ready.canisters['alpha.wasm']! });
    const beta = Actor.createActor<CounterActor>(counterIdlFactory, { agent, canisterId: ready.canisters['beta.wasm']! });
    expect(await alpha.getLabel()).toBe('alpha');
    expect(await beta.getLabel()).toBe('beta');
    expect(await alpha.increment()).toBe(1n);
    expect(await beta.increment()).toBe(1n);
    expect(await beta.increment()).toBe(2n);
    expect(await alpha.get()).toBe(1n);
    // --verbose: what each execution cost, as a replica would count it.
    expect(stderr).toMatch(new RegExp(`\\[execution\\] ${FIXED_ID}: update increment: [\\d_]+ instructions, [\\d_]+ cycles, `));
    expect(stderr).toMatch(/\[execution\] rwlgt-iiaaa-aaaaa-aaaaa-cai: query get: [\d_]+ instructions, free, /);
  });

  it('exits 0 within a second of SIGTERM', async () => {
    const started = performance.now();
    cli.kill('SIGTERM');
    expect(await exitOf(cli)).toBe(0);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('prints its package version with --version', async () => {
    const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string };
    const child = startCli(['--version']);
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    expect(await exitOf(child)).toBe(0);
    expect(stdout).toBe(`${version}\n`);
  });

  it('a busy port: exit 1 and one line naming the port and the flag, no stack', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      const before = stderr.length;
      const child = startCli(['--port', String(port)]);
      expect(await exitOf(child)).toBe(1);
      expect(stderr.slice(before)).toBe(`ic-ws-devnet: cannot listen on 127.0.0.1:${port}: port ${port} is in use; choose another with --port (IC_WS_DEVNET_PORT), 0 for any free one\n`);
    } finally {
      blocker.close();
    }
  });

  it('refuses two canisters with the same file name, with a clear error and exit 1', async () => {
    const before = stderr.length;
    const child = startCli(['--port', '0', '--install', join(work, 'alpha.wasm'), '--install', join(work, 'alpha.wasm')]);
    expect(await exitOf(child)).toBe(1);
    expect(stderr.slice(before)).toContain('two canisters named alpha.wasm');
  });
});
