import { spawn } from 'node:child_process';
import { mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

function run(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const output = { get stdout() { return stdout; }, get stderr() { return stderr; } };
  return { child, exited, output };
}

describe('ic-ws-gateway CLI', () => {
  it('prints help with every flag and exits 0', async () => {
    const { exited, output } = run(['--help']);
    expect(await exited).toBe(0);
    expect(output.stdout).toContain('--polling-interval');
    expect(output.stdout).toContain('IC_WS_MAX_PAYLOAD');
  });

  it('exits 1 with the error code for invalid options', async () => {
    const { exited, output } = run(['--tls-cert', 'x.pem']);
    expect(await exited).toBe(1);
    expect(output.stderr).toContain('[INVALID_OPTIONS]');
  });

  it('starts, logs its URL and principal, creates its identity with mode 0600, and drains on SIGTERM with exit 0', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gw-cli-'));
    const identityFile = join(dir, 'id.pem');
    const { child, exited, output } = run(['--listen', '127.0.0.1:0', '--admin-listen', ''], {
      IC_WS_IC_URL: 'http://127.0.0.1:9',
      IC_WS_IDENTITY_FILE: identityFile,
      IC_WS_LOG_LEVEL: 'info',
    });
    const line = await new Promise<Record<string, unknown>>((resolve) => {
      child.stdout.on('data', () => {
        const found = output.stdout.split('\n').find((l) => l.includes('listening on'));
        if (found) resolve(JSON.parse(found) as Record<string, unknown>);
      });
    });
    expect(line.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    expect(typeof line.principal).toBe('string');
    expect((await stat(identityFile)).mode & 0o777).toBe(0o600);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
