/**
 * The IC unreachable for 10 s in the middle of sessions: a loopback proxy between the gateway and
 * ic-ws-devnet (real time, ws-echo canister) refuses or black-holes every request while the canister keeps
 * queueing messages. Sessions must survive, the poller must back off and resume, and every message queued
 * during the outage must reach its client exactly once, in order, verified.
 */
import type { Principal } from '@dfinity/principal';
import { startDevnet, type Devnet } from 'ic-ws-devnet';
import { pino } from 'pino';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeEd25519Identity } from '../src/ic/node-ed25519-identity';
import { GATEWAY_DEFAULTS } from '../src/options/gateway-options';
import { startGateway, type GatewayHandle } from '../src/start-gateway';
import { EchoClient, echoText } from './support/echo-client';
import { IcProxy, type BlockedRequest, type OutageMode } from './support/ic-proxy';
import { buildWsEcho, wsEchoActor, type WsEchoActor } from './support/ws-echo-canister';

const OUTAGE_MS = 10_000;
const CLIENTS = 3;
const QUEUED_DURING_OUTAGE = 5;
const HANG_TIMEOUT_MS = 5_000;

let wasm: Uint8Array;
let devnet: Devnet;

beforeAll(async () => {
  wasm = await buildWsEcho();
  devnet = await startDevnet({ time: 'real' });
}, 120_000);

afterAll(async () => {
  await devnet?.close();
});

const isPoll = (r: BlockedRequest) => r.method === 'POST' && r.path.endsWith('/query');

describe.each<OutageMode>(['refuse', 'hang'])('the IC unreachable for 10 s (%s)', (mode) => {
  let canisterId: Principal;
  let echo: WsEchoActor;
  let proxy: IcProxy;
  let gateway: GatewayHandle;

  beforeAll(async () => {
    canisterId = await devnet.install({ wasm });
    // The test talks to the canister directly; only the gateway goes through the proxy.
    echo = await wsEchoActor(devnet.url, canisterId);
    proxy = await IcProxy.start(devnet.url);
    gateway = await startGateway({
      listen: '127.0.0.1:0',
      adminListen: '127.0.0.1:0',
      icUrl: proxy.url,
      identity: NodeEd25519Identity.generate(),
      logger: pino({ level: 'silent' }),
      pollingIntervalMs: 20,
      // A black-holed poll must fail within the outage (and a relay may be slow on a busy machine).
      icRequestTimeoutMs: HANG_TIMEOUT_MS,
      healthCheckIntervalMs: 1_000,
    });
  }, 60_000);

  afterAll(async () => {
    await gateway?.close();
    await proxy?.close();
  });

  it('keeps the sessions, backs off, resumes, and delivers what was queued meanwhile exactly once, in order', async () => {
    const target = { gatewayUrl: gateway.url, gatewayPrincipal: gateway.principal, canisterId, rootKey: devnet.rootKey };
    const clients = await Promise.all(Array.from({ length: CLIENTS }, () => EchoClient.open(target).then((o) => o.client)));
    for (const client of clients) await client.send('before');
    for (const client of clients) {
      const reply = await client.receive();
      expect([echoText(reply), reply.sequence_num]).toEqual(['echo:before', 2n]);
    }
    const closes: number[] = [];
    for (const client of clients) client.socket.ws.on('close', (code: number) => closes.push(code));

    const started = performance.now();
    let queued = false;
    // The outage lasts 10 s at least, and until the canister has queued everything below.
    const outage = proxy.interrupt(mode, () => queued && performance.now() - started >= OUTAGE_MS);
    // The canister goes on queueing while the gateway cannot reach it.
    for (let i = 0; i < QUEUED_DURING_OUTAGE; i++) expect(await echo.broadcast(`during-${i}`)).toBe(CLIENTS);
    queued = true;
    await expect.poll(() => readyz(gateway), { timeout: OUTAGE_MS }).toBe(503);
    await outage;
    const outageMs = performance.now() - started;

    // Polls during the outage: few (at the 20 ms interval they would be ~500), refused ones further and
    // further apart (200 ms doubling), black-holed ones each given up after the request timeout.
    const polls = proxy.blocked.filter(isPoll).map((r) => r.at);
    const gaps = polls.slice(1).map((at, i) => at - polls[i]!);
    expect(outageMs).toBeGreaterThanOrEqual(OUTAGE_MS);
    if (mode === 'refuse') {
      expect(polls.length).toBeGreaterThanOrEqual(3);
      expect(polls.length).toBeLessThanOrEqual(10);
      expect(gaps.at(-1)!).toBeGreaterThanOrEqual(4 * gaps[0]!);
      expect(gaps[0]!).toBeGreaterThanOrEqual(GATEWAY_DEFAULTS.pollBackoff.initialMs);
    } else {
      expect(polls.length).toBeGreaterThanOrEqual(2);
      expect(polls.length).toBeLessThanOrEqual(5);
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(HANG_TIMEOUT_MS);
    }
    expect(clients.every((c) => c.socket.ws.readyState === WebSocket.OPEN)).toBe(true);

    // After it: exactly the queued messages, in order, sequence numbers without a gap, then nothing else
    // before the echo of a new message (a duplicate would come before it).
    for (const client of clients) {
      const received = [];
      for (let i = 0; i < QUEUED_DURING_OUTAGE; i++) received.push(await client.receive());
      expect(received.map(echoText)).toEqual(Array.from({ length: QUEUED_DURING_OUTAGE }, (_, i) => `during-${i}`));
      expect(received.map((m) => m.sequence_num)).toEqual(Array.from({ length: QUEUED_DURING_OUTAGE }, (_, i) => BigInt(i + 3)));
      await client.send('after');
      const after = await client.receive();
      expect([echoText(after), after.sequence_num]).toEqual(['echo:after', BigInt(QUEUED_DURING_OUTAGE + 3)]);
    }
    await expect.poll(() => readyz(gateway), { timeout: 10_000 }).toBe(200);
    expect(closes).toEqual([]);
    const failed = await gateway.metrics.registry.getSingleMetricAsString('ic_ws_gateway_poll_duration_seconds');
    expect(failed).toMatch(/ic_ws_gateway_poll_duration_seconds_count\{outcome="POLL_FAILED"\} [1-9]/);

    await Promise.all(clients.map((c) => c.close()));
    await expect.poll(() => echo.clientCount(), { timeout: 20_000 }).toBe(0);
  }, 120_000);
});

async function readyz(gateway: GatewayHandle): Promise<number> {
  return (await fetch(`${gateway.adminUrl}/readyz`)).status;
}
