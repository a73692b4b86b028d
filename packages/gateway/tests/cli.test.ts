import { mkdtemp, stat } from 'node:fs/promises';
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
