/**
 * SIGTERM drain of the real `ic-ws-gateway` process against ic-ws-devnet: the CLI runs as a child process,
 * protocol-level clients open sessions on the ws-echo canister through it, then SIGTERM must deliver what the
 * canister queued for them, close every session with 1001, call `ws_close` for each before exiting, and exit
 * 0 within the drain timeout.
 */
import { join } from 'node:path';
import { Principal } from '@dfinity/principal';
import { CloseCode } from 'ic-ws-protocol';
import { describe, expect, it } from 'vitest';
import { EchoClient, echoText } from './support/echo-client';
import { useEchoDevnetWithDir } from './support/echo-devnet';
import { runCli } from './support/run-cli';

const DRAIN_TIMEOUT_MS = 10_000;
const CLIENTS = 5;
// Issue 13, acceptance 7 (second half): sessions with messages queued in the canister when SIGTERM comes.
const QUEUED_SESSIONS = 50;
const QUEUED_BROADCASTS = 3;

const env = useEchoDevnetWithDir('gw-drain-');

describe('the ic-ws-gateway process on SIGTERM', () => {
  it('closes every session with 1001, calls ws_close for each, and exits 0 within the drain timeout', async () => {
    const cli = runCli(
      ['--listen', '127.0.0.1:0', '--admin-listen', '', '--ic-url', env.devnet.url, '--polling-interval', '20', '--drain-timeout', String(DRAIN_TIMEOUT_MS)],
      { IC_WS_IDENTITY_FILE: join(env.dir, 'gateway.pem'), IC_WS_LOG_LEVEL: 'info' },
    );
    try {
      const ready = await cli.logLine('listening on');
      const target = {
        gatewayUrl: String(ready.url),
        gatewayPrincipal: Principal.fromText(String(ready.principal)),
        canisterId: env.canisterId,
        rootKey: env.devnet.rootKey,
      };
      const clients = await Promise.all(Array.from({ length: CLIENTS }, () => EchoClient.open(target).then((o) => o.client)));
      for (const client of clients) await client.send('hello');
      for (const client of clients) expect(echoText(await client.receive())).toBe('echo:hello');
      expect(await env.echo.clientCount()).toBe(CLIENTS);

      const signalled = performance.now();
      cli.child.kill('SIGTERM');
      const closes = await Promise.all(clients.map((c) => c.socket.closed));
      const code = await cli.exited;
      const drainMs = performance.now() - signalled;

      expect(closes.map((c) => c.code)).toEqual(clients.map(() => CloseCode.GoingAway));
      expect(code).toBe(0);
      expect(drainMs).toBeLessThan(DRAIN_TIMEOUT_MS);
      // The process waited for its ws_close calls before exiting: the canister has no client left now.
      expect(await env.echo.clientCount()).toBe(0);
      expect(cli.output.stderr).toContain('SIGTERM, draining');
      expect(JSON.parse(cli.output.stdout.split('\n').find((l) => l.includes('ic-ws-gateway stopped'))!)).toMatchObject({ sessions: CLIENTS, outcome: 'drained' });
    } finally {
      cli.child.kill('SIGKILL');
    }
  }, 120_000);

  it(`delivers every message the canister queued before SIGTERM to its ${QUEUED_SESSIONS} sessions before their 1001`, async () => {
    // A slow polling interval: the messages below are still in the canister when the signal comes.
    const cli = runCli(
      ['--listen', '127.0.0.1:0', '--admin-listen', '', '--ic-url', env.devnet.url, '--polling-interval', '3000', '--drain-timeout', '30000'],
      { IC_WS_IDENTITY_FILE: join(env.dir, 'queued.pem'), IC_WS_LOG_LEVEL: 'info' },
    );
    try {
      const ready = await cli.logLine('listening on');
      const target = { gatewayUrl: String(ready.url), gatewayPrincipal: Principal.fromText(String(ready.principal)), canisterId: env.canisterId, rootKey: env.devnet.rootKey };
      const clients = await Promise.all(Array.from({ length: QUEUED_SESSIONS }, () => EchoClient.open(target).then((o) => o.client)));
      const received = clients.map(() => [] as { text: string; at: number }[]);
      clients.forEach((client, i) => {
        void (async () => {
          for (;;) {
            const message = await client.receive();
            received[i]!.push({ text: echoText(message), at: performance.now() });
          }
        })().catch(() => {});
      });
      const words = Array.from({ length: QUEUED_BROADCASTS }, (_, k) => `queued-${k}`);
      for (const word of words) expect(await env.echo.broadcast(word)).toBe(QUEUED_SESSIONS);
      const signalled = performance.now();
      cli.child.kill('SIGTERM');
      const closes = await Promise.all(clients.map((c) => c.socket.closed.then((close) => ({ ...close, at: performance.now() }))));
      expect(await cli.exited).toBe(0);

      const deliveredAfterSignal = received.reduce((n, messages) => n + messages.filter((m) => m.at >= signalled).length, 0);
      console.log(
        `drain: ${QUEUED_SESSIONS} sessions x ${QUEUED_BROADCASTS} messages queued before SIGTERM; ${deliveredAfterSignal} of them were delivered ` +
          `during the drain, all ${QUEUED_SESSIONS * QUEUED_BROADCASTS} before the 1001; drained in ${(Math.max(...closes.map((c) => c.at)) - signalled).toFixed(0)} ms`,
      );
      for (const [i, close] of closes.entries()) {
        expect(close.code).toBe(CloseCode.GoingAway);
        // Every queued message came before the close frame (frames are in order on the socket).
        expect(received[i]!.map((m) => m.text)).toEqual(words);
      }
      expect(deliveredAfterSignal).toBeGreaterThan(0);
      expect(await env.echo.clientCount()).toBe(0);
    } finally {
      cli.child.kill('SIGKILL');
    }
  }, 180_000);
});
