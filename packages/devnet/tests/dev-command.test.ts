/**
 * `ic-ws-devnet dev` failing as a user would meet it: each mistake stops it with one line saying what to
 * change, before minutes of canister builds, and leaves nothing running. (Running projects: the root
 * `pnpm dev` in tests/e2e, the scaffolded templates in tests/packaging.)
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDev } from '../src/dev/start-dev';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
let project: string;
let blocker: Server;
let busyPort: number;

beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), 'ic-ws-dev-'));
  // A canister whose main file is missing: a test that got as far as building would fail differently.
  await writeFile(join(project, 'dfx.json'), JSON.stringify({ canisters: { app: { type: 'azle', main: 'src/missing.ts' } } }));
  blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  busyPort = (blocker.address() as { port: number }).port;
});

afterAll(async () => {
  blocker?.close();
  if (project) await rm(project, { recursive: true, force: true });
});

/** `ic-ws-devnet dev --project <project> <args>` from source (tsx, in this package, resolves the workspace). */
function runDev(args: string[], projectDir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'dev', '--project', projectDir, ...args], { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('ic-ws-devnet dev, stopped by a mistake', () => {
  it.each([
    ['devnet', '--devnet-port', '--devnet-port (IC_WS_DEVNET_PORT)'],
    ['gateway', '--gateway-port', '--gateway-port (IC_WS_GATEWAY_PORT)'],
    ["gateway's admin server", '--admin-port', "--admin-port (IC_WS_ADMIN_PORT; 'off' turns it off)"],
  ])('a busy %s port: one line naming the port and the flag, exit 1, before any build', async (server, flag, named) => {
    const ports = ['--devnet-port', '0', '--gateway-port', '0', '--admin-port', '0', flag, String(busyPort)];
    const { code, stdout, stderr } = await runDev(ports, project);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(`ic-ws dev: the ${server} cannot listen on 127.0.0.1:${busyPort}: port ${busyPort} is in use; choose another with ${named}, or --port 0 for free ports [LISTEN_FAILED]\n`);
  });

  it('a busy frontend port is checked only when there is a frontend', async () => {
    await expect(startDev({ projectDir: project, frontend: 'start.mjs', ports: { devnet: 0, gateway: 0, admin: null, frontend: busyPort } })).rejects.toThrow(
      `the frontend cannot listen on 127.0.0.1:${busyPort}: port ${busyPort} is in use; choose another with --frontend-port (IC_WS_FRONTEND_PORT), or --port 0 for free ports`,
    );
    // Without a frontend the port does not matter: it gets as far as the (missing) canister source.
    await expect(startDev({ projectDir: project, ports: { devnet: 0, gateway: 0, admin: null, frontend: busyPort } })).rejects.toThrow(/canister app: its main file src\/missing.ts does not exist/);
  });

  it('no dfx.json: says to run it in the project folder', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'ic-ws-dev-empty-'));
    try {
      const { code, stderr } = await runDev(['--port', '0'], empty);
      expect(code).toBe(1);
      expect(stderr).toBe(`ic-ws dev: no dfx.json in ${empty} (run it in your project's folder) [INVALID_OPTIONS]\n`);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('an unknown canister name lists the ones dfx.json has', async () => {
    await expect(startDev({ projectDir: project, canisters: ['chat'], ports: { devnet: 0, gateway: 0, admin: null } })).rejects.toThrow(/has no azle canister "chat" \(it has: app\)/);
  });

  it('a bad flag: one line pointing at --help', async () => {
    const { code, stderr } = await runDev(['--gateway-port', 'eighty'], project);
    expect(code).toBe(1);
    expect(stderr).toBe('ic-ws dev: --gateway-port: not a TCP port: "eighty" (see ic-ws-devnet dev --help) [INVALID_OPTIONS]\n');
  });
});
