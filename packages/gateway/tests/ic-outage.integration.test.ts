/**
 * The IC unreachable in the middle of sessions: a loopback proxy between the gateway and ic-ws-devnet (real
 * time, ws-echo canister) refuses or black-holes every request while the canister keeps queueing messages.
 * Sessions must survive, the gateway must report itself unready and recover, and every message queued
 * during the outage must reach its client exactly once, in order, verified. The outage is short (set
 * IC_WS_TEST_OUTAGE_MS for a longer one) and ends on events, not on a clock: once the canister has queued
 * everything, a poll of the gateway's has failed against the proxy and /readyz said 503. How the poller
 * backs off and how often it tries are timing, tested with fake timers (src/poller/canister-poller.test.ts,
 * src/observability/status-checks.test.ts).
 */
import type { Principal } from '@dfinity/principal';
import { startDevnet, type Devnet } from 'ic-ws-devnet';
import { pino } from 'pino';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeEd25519Identity } from '../src/ic/node-ed25519-identity';
import { startGateway, type GatewayHandle } from '../src/start-gateway';
import { EchoClient, echoText } from './support/echo-client';
import { installWsEcho } from './support/echo-devnet';
import { IcProxy, type BlockedRequest, type OutageMode } from './support/ic-proxy';
import { buildWsEcho, type WsEchoActor } from './support/ws-echo-canister';

/** The shortest outage; it lasts until its events have happened too. */
const OUTAGE_MS = Number(process.env.IC_WS_TEST_OUTAGE_MS ?? 300);
const CLIENTS = 2;
const QUEUED_DURING_OUTAGE = 4;

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

describe.each<OutageMode>(['refuse', 'hang'])('the IC unreachable for a while (%s)', (mode) => {
  let canisterId: Principal;
  let echo: WsEchoActor;
  let proxy: IcProxy;
  let gateway: GatewayHandle;

  beforeAll(async () => {
    // The test talks to the canister directly; only the gateway goes through the proxy.
    ({ canisterId, echo } = await installWsEcho(devnet, wasm));
    proxy = await IcProxy.start(devnet.url);
    gateway = await startGateway({
      listen: '127.0.0.1:0',
      adminListen: '127.0.0.1:0',
      icUrl: proxy.url,
      identity: NodeEd25519Identity.generate(),
      logger: pino({ level: 'silent' }),
      pollingIntervalMs: 20,
      // Short backoff: the test is about what is delivered, not when.
      pollBackoff: { initialMs: 50, maxMs: 200 },
      // Frequent status checks: /readyz turns 503 soon after the outage starts, and each blocked check gives
      // the proxy an event to end the outage on. A black-holed request fails when the outage ends.
      healthCheckIntervalMs: 50,
    });
  }, 60_000);

  afterAll(async () => {
    await gateway?.close();
    await proxy?.close();
  });

  it('keeps the sessions, reports itself unready, resumes, and delivers what was queued meanwhile exactly once, in order', async () => {
    const target = { gatewayUrl: gateway.url, gatewayPrincipal: gateway.principal, canisterId, rootKey: devnet.rootKey };
    const clients = await Promise.all(Array.from({ length: CLIENTS }, () => EchoClient.open(target).then((o) => o.client)));
    for (const client of clients) await client.send('before');
    // Sequence numbers: without a gap but for AckMessages the client answered and skipped (an early ack when the
    // gateway's presence call is slow). `returned(client, k)`: the number of the k-th message receive() returned.
    const returned = (client: EchoClient, k: number) => client.returnedSequenceNums[k];
    for (const client of clients) {
      const reply = await client.receive();
      expect([echoText(reply), reply.sequence_num]).toEqual(['echo:before', returned(client, 1)]);
    }
    const closes: number[] = [];
    for (const client of clients) client.socket.ws.on('close', (code: number) => closes.push(code));

    const started = performance.now();
    let queued = false;
    let sawUnready = false;
    const outage = proxy.interrupt(
      mode,
      (blocked) => queued && sawUnready && blocked.some(isPoll) && performance.now() - started >= OUTAGE_MS,
    );
    // The canister goes on queueing while the gateway cannot reach it.
    for (let i = 0; i < QUEUED_DURING_OUTAGE; i++) expect(await echo.broadcast(`during-${i}`)).toBe(CLIENTS);
    queued = true;
    await expect.poll(() => readyz(gateway), { timeout: 5_000 }).toBe(503);
    sawUnready = true;
    await outage;

    // The gateway tried to poll during the outage and failed; the sessions stayed open.
    expect(proxy.blocked.filter(isPoll).length).toBeGreaterThanOrEqual(1);
    expect(clients.every((c) => c.socket.ws.readyState === WebSocket.OPEN)).toBe(true);

    // After it: exactly the queued messages, in order, sequence numbers without a gap, then nothing else
    // before the echo of a new message (a duplicate would come before it).
    for (const client of clients) {
      const received = [];
      for (let i = 0; i < QUEUED_DURING_OUTAGE; i++) received.push(await client.receive());
      expect(received.map(echoText)).toEqual(Array.from({ length: QUEUED_DURING_OUTAGE }, (_, i) => `during-${i}`));
      expect(received.map((m) => m.sequence_num)).toEqual(Array.from({ length: QUEUED_DURING_OUTAGE }, (_, i) => returned(client, i + 2)));
      await client.send('after');
      const after = await client.receive();
      expect([echoText(after), after.sequence_num]).toEqual(['echo:after', returned(client, QUEUED_DURING_OUTAGE + 2)]);
      expect(client.returnedSequenceNums).toHaveLength(QUEUED_DURING_OUTAGE + 3);
    }
    await expect.poll(() => readyz(gateway), { timeout: 5_000 }).toBe(200);
    expect(closes).toEqual([]);
    const failed = await gateway.metrics.registry.getSingleMetricAsString('ic_ws_gateway_poll_duration_seconds');
    expect(failed).toMatch(/ic_ws_gateway_poll_duration_seconds_count\{outcome="POLL_FAILED"\} [1-9]/);

    await Promise.all(clients.map((c) => c.close()));
    await expect.poll(() => echo.clientCount(), { timeout: 20_000 }).toBe(0);
  }, 60_000);
});

async function readyz(gateway: GatewayHandle): Promise<number> {
  return (await fetch(`${gateway.adminUrl}/readyz`)).status;
}
