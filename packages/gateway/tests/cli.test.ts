import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GATEWAY_FLAGS } from '../src/options/cli-flags';
import { runCli } from './support/run-cli';

describe('ic-ws-gateway CLI', () => {
  it('prints help with every flag and exits 0', async () => {
    const { exited, output } = runCli(['--help']);
    expect(await exited).toBe(0);
    for (const spec of GATEWAY_FLAGS) {
      expect(output.stdout).toContain(`--${spec.flag}`);
      expect(output.stdout).toContain(spec.env);
    }
  });

  it('prints its package version with --version and -v', async () => {
    const { version } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    for (const flag of ['--version', '-v']) {
      const { exited, output } = runCli([flag]);
      expect(await exited).toBe(0);
      expect(output.stdout).toBe(`${version}\n`);
    }
  });

  it('a busy port: exit 1 and one line naming the port and the flag, no stack', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      const dir = await mkdtemp(join(tmpdir(), 'gw-cli-'));
      const { exited, output } = runCli(['--listen', `127.0.0.1:${port}`, '--admin-listen', '', '--ic-url', 'http://127.0.0.1:9'], {
        IC_WS_IDENTITY_FILE: join(dir, 'id.pem'),
        IC_WS_LOG_LEVEL: 'warn',
      });
      expect(await exited).toBe(1);
      expect(output.stderr).toBe(`ic-ws-gateway: WebSocket server cannot listen on 127.0.0.1:${port}: port ${port} is in use; choose another with --listen (IC_WS_LISTEN) [LISTEN_FAILED]\n`);
    } finally {
      blocker.close();
    }
  });

  it('/readyz answers 503 with one line of reason, no stack, while the IC is unreachable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const dir = await mkdtemp(join(tmpdir(), 'gw-cli-'));
    const { child, exited, logLine } = runCli(['--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0', '--ic-url', `http://127.0.0.1:${port}`], {
      IC_WS_IDENTITY_FILE: join(dir, 'id.pem'),
      IC_WS_LOG_LEVEL: 'info',
    });
    try {
      const { adminUrl } = await logLine('listening on');
      // The first status check runs at start; poll until it has failed.
      let body = '';
      await expect
        .poll(async () => {
          const response = await fetch(`${String(adminUrl)}/readyz`);
          body = await response.text();
          return response.status === 503 && body !== 'not ready: no answer from the IC yet\n';
        })
        .toBe(true);
      expect(body).toMatch(new RegExp(`^not ready: IC status check failed: .*\\(connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\)\\n$`));
      expect(body.trimEnd()).not.toContain('\n');
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('exits 1 with the error code for invalid options', async () => {
    const { exited, output } = runCli(['--tls-cert', 'x.pem']);
    expect(await exited).toBe(1);
    expect(output.stderr).toContain('[INVALID_OPTIONS]');
  });

  it('starts, logs its URL and principal, creates its identity with mode 0600, and drains on SIGTERM with exit 0', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gw-cli-'));
    const identityFile = join(dir, 'id.pem');
    const { child, exited, logLine } = runCli(['--listen', '127.0.0.1:0', '--admin-listen', ''], {
      IC_WS_IC_URL: 'http://127.0.0.1:9',
      IC_WS_IDENTITY_FILE: identityFile,
      IC_WS_LOG_LEVEL: 'info',
    });
    const line = await logLine('listening on');
    expect(line.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    expect(typeof line.principal).toBe('string');
    expect((await stat(identityFile)).mode & 0o777).toBe(0o600);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
