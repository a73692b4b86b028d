/**
 * Issue 13, acceptance 2: the gateway's memory is bounded by its byte budgets, not by what clients do. The
 * gateway runs in a process of its own (`startGateway`, as the CLI runs it), whose RSS the test samples; the
 * baseline is taken after a full garbage collection, so it is the gateway's live memory.
 * 1. With the IC delayed (a loopback proxy holds every update call to ic-ws-devnet), 8 clients flood signed
 *    2 MiB envelopes: the gateway stops reading once its inbound budget is used, and its RSS grows by no
 *    more than that budget + 10%.
 * 2. A client that never reads while its canister sends 128 MiB: the gateway pins no more than the
 *    session's outbound budget (live memory after a full collection, V8's heap plus ArrayBuffers, within it
 *    + 10%, measured when the session holds just under it), then closes it (4007); the peak RSS, garbage and
 *    the C allocator's retained pages included, stays within the gateway-wide outbound budget + 10%.
 * Each prints its figures.
 */
import { CloseCode } from 'ic-ws-protocol';
import type { Devnet } from 'ic-ws-devnet';
import type { Principal } from '@dfinity/principal';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFrame, testCanisterId, testPrincipal } from '../src/testing/client-frames';
import { TestClient } from '../src/testing/test-client';
import { CallThrottle } from './support/call-throttle';
import { EchoClient } from './support/echo-client';
import { startEchoDevnet } from './support/echo-devnet';
import { startGatewayProcess, type GatewayProcess } from './support/gateway-process';
import { RssSampler, mib } from './support/rss-sampler';

const MiB = 1024 * 1024;
const CLIENTS = 8;
const ENVELOPES_PER_CLIENT = 24;
const INBOUND_BUDGET = 256 * MiB;
const OUTBOUND_SESSION_BUDGET = 64 * MiB;
const OUTBOUND_GLOBAL_BUDGET = 2 * OUTBOUND_SESSION_BUDGET;

/** Waits until `check` holds, polling every `everyMs`, for at most `timeoutMs`. */
async function until(check: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 50): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** The gateway's RSS and live memory after a full collection, once two in a row agree within 1 MiB. */
async function settledMemory(gateway: GatewayProcess): Promise<{ rss: number; live: number }> {
  let previous = await gateway.collectGarbage();
  for (let i = 0; i < 10; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const memory = await gateway.collectGarbage();
    if (Math.abs(memory.rss - previous.rss) < MiB) return memory;
    previous = memory;
  }
  return previous;
}

describe('gateway memory under a flood, with the IC delayed', () => {
  let devnet: Devnet;
  let throttle: CallThrottle;
  let canisterId: Principal;

  beforeAll(async () => {
    ({ devnet, canisterId } = await startEchoDevnet());
    throttle = await CallThrottle.start(devnet.url, { concurrency: 64, serviceMs: 0, maxQueued: 100_000 });
  }, 120_000);

  afterAll(async () => {
    await throttle?.close();
    await devnet?.close();
  });

  it(`${CLIENTS} clients flooding 2 MiB envelopes raise RSS by at most the inbound budget + 10%`, async () => {
    const gateway = await startGatewayProcess({
      icUrl: throttle.url,
      pollingIntervalMs: 50,
      maxPendingBytes: INBOUND_BUDGET,
      maxPendingBytesPerSession: 40 * MiB,
    });
    try {
      const target = { gatewayUrl: gateway.url, gatewayPrincipal: gateway.principal, canisterId, rootKey: devnet.rootKey };
      const clients = await Promise.all(Array.from({ length: CLIENTS }, () => EchoClient.open(target).then((o) => o.client)));
      throttle.hold();
      const baseline = (await settledMemory(gateway)).rss;
      const sampler = new RssSampler(gateway.pid);

      // Not Candid text: the canister would answer Err without echoing, if the calls ever got through.
      const content = new Uint8Array(2 * MiB - 2048).fill(0xee);
      for (let i = 0; i < ENVELOPES_PER_CLIENT; i++) await Promise.all(clients.map((c) => c.sendContent(content)));
      const offered = CLIENTS * ENVELOPES_PER_CLIENT * content.length;
      // Every session stops reading once the budget is used up; give the gateway time to take all it will.
      await until(async () => (await gateway.metric('ic_ws_gateway_paused_sessions')) === CLIENTS, 30_000);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const held = await gateway.metric('ic_ws_gateway_inbound_bytes');
      const peak = sampler.stop();
      const growth = peak - baseline;
      console.log(
        `flood: offered ${mib(offered)} in ${CLIENTS * ENVELOPES_PER_CLIENT} envelopes; inbound budget ${mib(INBOUND_BUDGET)}; held ${mib(held)}; ` +
          `RSS ${mib(baseline)} (after a full GC) -> peak ${mib(peak)}: +${mib(growth)} (${((growth / INBOUND_BUDGET) * 100).toFixed(0)}% of the budget, ${sampler.samples} samples)`,
      );
      expect(held).toBeGreaterThan(INBOUND_BUDGET / 2);
      expect(held).toBeLessThanOrEqual(INBOUND_BUDGET + CLIENTS * 64 * 1024);
      expect(growth).toBeLessThanOrEqual(INBOUND_BUDGET * 1.1);
      // Nothing was refused or closed: the clients are only waiting.
      expect(clients.every((c) => c.socket.ws.readyState === c.socket.ws.OPEN)).toBe(true);
      expect(await gateway.metric('ic_ws_gateway_session_closes_total', `code="${CloseCode.TooManyPendingRequests}"`)).toBe(0);
    } finally {
      throttle.release();
      await gateway.close();
    }
  }, 180_000);
});

describe('gateway memory with a client that never reads', () => {
  it('pins at most the session outbound budget (live memory), then closes the session (4007)', async () => {
    const gateway = await startGatewayProcess(
      { maxOutboundBytesPerSession: OUTBOUND_SESSION_BUDGET, maxOutboundBytes: OUTBOUND_GLOBAL_BUDGET },
      // A real canister's reply stays under 2 MiB: four messages of 512 KiB.
      { maxPerPoll: 4 },
    );
    try {
      const canister = testCanisterId(1);
      const key = { client_principal: testPrincipal(3), client_nonce: 1n };
      const client = await TestClient.connect(gateway.url);
      await client.nextFrame();
      client.send(openFrame(canister, key, gateway.principal));
      await until(async () => (await gateway.metric('ic_ws_gateway_relayed_calls_total', 'method="ws_open",outcome="ok"')) === 1, 10_000);
      const messageBytes = 512 * 1024;
      // Warm-up while the client reads: the baseline below is a gateway at its working size, having carried
      // this traffic already.
      const warmUp = 128;
      await gateway.enqueue(canister, key, messageBytes, warmUp);
      for (let i = 0; i < warmUp; i++) await client.nextFrame();
      client.ws.pause();
      const baseline = await settledMemory(gateway);
      const sampler = new RssSampler(gateway.pid);

      // 1. Just under the budget: the session holds what its client does not read. What it pins is the
      //    process's live memory after a full collection (V8's heap plus ArrayBuffers); the RSS after that
      //    collection is printed too (it also holds memory the C allocator keeps for reuse).
      await gateway.enqueue(canister, key, messageBytes, 120);
      const held = await steadyMetric(gateway, 'ic_ws_gateway_outbound_bytes');
      const settled = await settledMemory(gateway);
      const pinned = settled.live - baseline.live;
      // 2. Past it: the session is closed as a slow consumer, and what it held is let go.
      await gateway.enqueue(canister, key, messageBytes, 136);
      await until(async () => (await gateway.metric('ic_ws_gateway_session_closes_total', `code="${CloseCode.OutboundBufferOverflow}"`)) === 1, 60_000);
      const peak = sampler.stop();
      const growth = peak - baseline.rss;
      console.log(
        `never-reading client: canister sent ${mib(messageBytes * 256)} after a warm-up of ${mib(messageBytes * warmUp)} read; session outbound budget ${mib(OUTBOUND_SESSION_BUDGET)}, gateway-wide ${mib(OUTBOUND_GLOBAL_BUDGET)}; ` +
          `after ${mib(messageBytes * 120)} the session held ${mib(held)}: live memory +${mib(pinned)} (${((pinned / OUTBOUND_SESSION_BUDGET) * 100).toFixed(0)}% of the session budget), RSS after a full GC +${mib(settled.rss - baseline.rss)}; ` +
          `RSS ${mib(baseline.rss)} (after a full GC) -> peak ${mib(peak)}: +${mib(growth)} (${((growth / OUTBOUND_GLOBAL_BUDGET) * 100).toFixed(0)}% of the gateway-wide budget, garbage included; ${sampler.samples} samples)`,
      );
      expect(held).toBeGreaterThan(OUTBOUND_SESSION_BUDGET / 2);
      expect(pinned).toBeLessThanOrEqual(OUTBOUND_SESSION_BUDGET * 1.1);
      expect(growth).toBeLessThanOrEqual(OUTBOUND_GLOBAL_BUDGET * 1.1);
      expect(await gateway.metric('ic_ws_gateway_outbound_bytes')).toBe(0);
      client.ws.resume();
      expect((await client.closed).code).toBe(CloseCode.OutboundBufferOverflow);
    } finally {
      await gateway.close();
    }
  }, 120_000);
});

/** A metric's value once three readings 200 ms apart agree (the gateway has taken in all it will). */
async function steadyMetric(gateway: GatewayProcess, name: string): Promise<number> {
  const readings: number[] = [];
  await until(async () => {
    readings.push(await gateway.metric(name));
    return readings.length >= 3 && readings.slice(-3).every((value) => value === readings.at(-1) && value > 0);
  }, 30_000, 200);
  return readings.at(-1)!;
}
