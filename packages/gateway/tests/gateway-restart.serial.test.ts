/**
 * Issue 13, acceptance 8: old backlog never locks new clients out, and dead keys do not linger. Against
 * ic-ws-devnet and the ws-echo canister, with the real `ic-ws-gateway` process:
 * 1. A gateway with 20 sessions is SIGKILLed; the canister then queues 6 000 messages for those dead
 *    sessions. Restarted with the same identity (and its open-keys file), the gateway closes the 20 keys it
 *    left behind within one keep-alive period (60 s; the canister alone would take an ack round, 300 s,
 *    more), and 20 new clients open within 5 s: its pollers start at the live end of the queue.
 * 2. The same when a canister's last session closes with 6 000 messages still queued for the old sessions,
 *    and a new one opens.
 */
import { join } from 'node:path';
import { Principal } from '@dfinity/principal';
import { PROTOCOL_DEFAULTS } from 'ic-ws-protocol';
import { describe, expect, it } from 'vitest';
import { EchoClient, echoText, type EchoTarget } from './support/echo-client';
import { useEchoDevnetWithDir } from './support/echo-devnet';
import { runCli, type RunningCli } from './support/run-cli';

const CLIENTS = 20;
const BACKLOG = 6_000;
const FLOOD_CALL = 500;
const OPEN_WITHIN_MS = 5_000;

const env = useEchoDevnetWithDir('gw-restart-');

async function startCli(): Promise<{ cli: RunningCli; target: EchoTarget }> {
  const cli = runCli(['--listen', '127.0.0.1:0', '--admin-listen', '', '--ic-url', env.devnet.url, '--polling-interval', '20'], {
    IC_WS_IDENTITY_FILE: join(env.dir, 'gateway.pem'),
    IC_WS_LOG_LEVEL: 'info',
  });
  const ready = await cli.logLine('listening on');
  return { cli, target: { gatewayUrl: String(ready.url), gatewayPrincipal: Principal.fromText(String(ready.principal)), canisterId: env.canisterId, rootKey: env.devnet.rootKey } };
}

/** Opens `count` clients at once; resolves with them and the time until the last one's OpenMessage. */
async function openAll(target: EchoTarget, count: number): Promise<{ clients: EchoClient[]; ms: number }> {
  const started = performance.now();
  const clients = await Promise.all(Array.from({ length: count }, () => EchoClient.open(target).then((o) => o.client)));
  return { clients, ms: performance.now() - started };
}

/** Queues `total` messages round-robin over the canister's clients, `FLOOD_CALL` per update call. */
async function flood(total: number, text: string): Promise<number> {
  const started = performance.now();
  for (let queued = 0; queued < total; queued += FLOOD_CALL) expect(await env.echo.flood(FLOOD_CALL, text)).toBe(FLOOD_CALL);
  return performance.now() - started;
}

describe('backlog of old sessions', () => {
  it(`a gateway SIGKILLed and restarted with the same identity: ${CLIENTS} new clients open within 5 s despite ${BACKLOG} queued messages, and its dead keys are closed`, async () => {
    const first = await startCli();
    let second: Awaited<ReturnType<typeof startCli>> | undefined;
    try {
      const { clients: dead } = await openAll(first.target, CLIENTS);
      expect(dead).toHaveLength(CLIENTS);
      first.cli.child.kill('SIGKILL');
      await first.cli.exited;
      expect(await env.echo.clientCount()).toBe(CLIENTS);
      const floodMs = await flood(BACKLOG, 'for-the-dead');

      second = await startCli();
      expect(second.target.gatewayPrincipal.toText()).toBe(first.target.gatewayPrincipal.toText());
      const restarted = performance.now();
      const { clients, ms } = await openAll(second.target, CLIENTS);
      // The restarted gateway closed the keys the killed one left behind: only the new clients remain.
      await expect.poll(() => env.echo.clientCount(), { timeout: PROTOCOL_DEFAULTS.keepAliveTimeoutMs, interval: 200 }).toBe(CLIENTS);
      const deadGoneMs = performance.now() - restarted;
      console.log(
        `restart: ${BACKLOG} messages queued for ${CLIENTS} dead sessions (flood ${floodMs.toFixed(0)} ms); after the restart ${CLIENTS} clients opened in ${ms.toFixed(0)} ms; ` +
          `the dead keys were gone ${deadGoneMs.toFixed(0)} ms after the restart`,
      );
      expect(ms).toBeLessThan(OPEN_WITHIN_MS);
      // Within one keep-alive period (the ws-echo canister runs the defaults); the canister itself would drop
      // them only at an ack round (every sendAckIntervalMs, 300 s) plus the keep-alive timeout: it was the gateway.
      expect(deadGoneMs).toBeLessThan(PROTOCOL_DEFAULTS.keepAliveTimeoutMs);
      // The new sessions work, and see nothing of the backlog.
      await clients[0]!.send('fresh');
      expect(echoText(await clients[0]!.receive())).toBe('echo:fresh');
      await Promise.all(clients.map((c) => c.close()));
    } finally {
      first.cli.child.kill('SIGKILL');
      second?.cli.child.kill('SIGKILL');
    }
  }, 600_000);

  it(`a canister whose last session closed with ${BACKLOG} messages queued: ${CLIENTS} new clients open within 5 s`, async () => {
    const { cli, target } = await startCli();
    try {
      await expect.poll(() => env.echo.clientCount(), { timeout: 60_000, interval: 200 }).toBe(0);
      const { clients: old } = await openAll(target, CLIENTS);
      const floodMs = await flood(BACKLOG, 'for-the-departed');
      // They leave at once, long before the gateway could have read 6 000 messages.
      await Promise.all(old.map((c) => c.close()));
      await expect.poll(() => env.echo.clientCount(), { timeout: 60_000, interval: 200 }).toBe(0);

      const { clients, ms } = await openAll(target, CLIENTS);
      console.log(`idle canister: ${BACKLOG} messages queued for ${CLIENTS} closed sessions (flood ${floodMs.toFixed(0)} ms); ${CLIENTS} new clients opened in ${ms.toFixed(0)} ms`);
      expect(ms).toBeLessThan(OPEN_WITHIN_MS);
      await clients[0]!.send('after the backlog');
      expect(echoText(await clients[0]!.receive())).toBe('echo:after the backlog');
      await Promise.all(clients.map((c) => c.close()));
    } finally {
      cli.child.kill('SIGKILL');
    }
  }, 600_000);
});
