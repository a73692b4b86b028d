/**
 * Issue 13, acceptance 3: sockets that connect and never finish the WebSocket upgrade cannot keep a
 * well-behaved client out. The real `ic-ws-gateway` process runs under a low descriptor limit (`ulimit -n`);
 * more silent sockets than `--max-connections`, and more than that limit, connect first; then a protocol
 * client opens a session on the ws-echo canister in ic-ws-devnet and round-trips a message, and every
 * silent socket is closed once the upgrade timeout has passed.
 */
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Principal } from '@dfinity/principal';
import { describe, expect, it } from 'vitest';
import { EchoClient, echoText } from './support/echo-client';
import { useEchoDevnetWithDir } from './support/echo-devnet';

const DESCRIPTOR_LIMIT = 256;
const SILENT = 300;
const UPGRADE_TIMEOUT_MS = 2_000;
const cliPath = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

const env = useEchoDevnetWithDir('gw-silent-');

/** The CLI from source under `ulimit -n <limit>`, resolving with its first log line and its output. */
function gatewayUnderLimit(args: string[]) {
  const child = spawn('sh', ['-c', `ulimit -n ${DESCRIPTOR_LIMIT} && exec "$0" --import tsx "$@"`, process.execPath, cliPath, ...args], {
    env: { ...process.env, IC_WS_IDENTITY_FILE: join(env.dir, `${Math.random()}.pem`), IC_WS_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  const listening = new Promise<Record<string, unknown>>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n').find((l) => l.includes('listening on'));
      if (line) resolve(JSON.parse(line) as Record<string, unknown>);
    });
    child.once('exit', (code) => reject(new Error(`gateway exited (${code}) before listening`)));
  });
  return { child, listening, output: () => stdout };
}

/** Opens `count` TCP connections that never send a byte; resolves once all are connected. */
async function silentSockets(port: number, count: number): Promise<{ sockets: Socket[]; closedAt: (number | null)[] }> {
  const closedAt: (number | null)[] = [];
  const sockets = await Promise.all(
    Array.from(
      { length: count },
      (_, i) =>
        new Promise<Socket>((resolve) => {
          closedAt[i] = null;
          const socket = connect(port, '127.0.0.1', () => resolve(socket));
          // Silent, not deaf: it reads (and drops) what comes, so it sees the gateway's close.
          socket.resume();
          socket.on('error', () => {});
          socket.on('close', () => {
            closedAt[i] = performance.now();
            resolve(socket);
          });
        }),
    ),
  );
  return { sockets, closedAt };
}

describe(`${SILENT} silent sockets against a gateway limited to ${DESCRIPTOR_LIMIT} descriptors`, () => {
  it.each([
    ['--max-connections 100', ['--max-connections', '100']],
    ['the default --max-connections (capped below the descriptor limit)', []],
  ])('do not keep a client out (%s), and are closed after the upgrade timeout', async (_name, limitArgs) => {
    const gateway = gatewayUnderLimit([
      '--listen', '127.0.0.1:0', '--admin-listen', '', '--ic-url', env.devnet.url, '--polling-interval', '20',
      '--upgrade-timeout', String(UPGRADE_TIMEOUT_MS), ...limitArgs,
    ]);
    try {
      const ready = await gateway.listening;
      const url = String(ready.url);
      const opened = performance.now();
      const silent = await silentSockets(Number(new URL(url).port), SILENT);
      // The well-behaved client comes after them all, and must get in (retrying a refusal as clients do,
      // the gateway makes room by closing silent sockets a second old) and round-trip.
      const target = { gatewayUrl: url, gatewayPrincipal: Principal.fromText(String(ready.principal)), canisterId: env.canisterId, rootKey: env.devnet.rootKey };
      let attempts = 0;
      const client = await (async () => {
        for (;;) {
          attempts += 1;
          try {
            return (await EchoClient.open(target)).client;
          } catch (error) {
            if (!String(error).includes('HTTP 503') || performance.now() - opened > UPGRADE_TIMEOUT_MS) throw error;
            await new Promise((resolve) => setTimeout(resolve, 250));
          }
        }
      })();
      await client.send('through the crowd');
      expect(echoText(await client.receive())).toBe('echo:through the crowd');
      const roundTripMs = performance.now() - opened;

      // Every silent socket is closed: some at once to make room, the rest at the upgrade timeout.
      const deadline = opened + UPGRADE_TIMEOUT_MS + 3_000;
      while (silent.closedAt.some((t) => t === null) && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      const closed = silent.closedAt.filter((t): t is number => t !== null).map((t) => t - opened);
      console.log(
        `silent sockets (${limitArgs.join(' ') || 'default limit'}, ulimit -n ${DESCRIPTOR_LIMIT}): ${SILENT} connected; the client round-tripped ${roundTripMs.toFixed(0)} ms after they started (${attempts} connection attempts); ` +
          `${closed.length} closed, the last ${Math.max(...closed).toFixed(0)} ms after connecting (upgrade timeout ${UPGRADE_TIMEOUT_MS} ms)`,
      );
      expect(closed).toHaveLength(SILENT);
      expect(Math.max(...closed)).toBeLessThan(UPGRADE_TIMEOUT_MS + 3_000);
      expect(client.socket.ws.readyState).toBe(client.socket.ws.OPEN);
      if (limitArgs.length === 0) expect(gateway.output()).toContain('capped');
      await client.close();
    } finally {
      gateway.child.kill('SIGKILL');
    }
  }, 120_000);
});
