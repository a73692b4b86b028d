/**
 * Issue 13, acceptance 7 (first half): 20 clients exchange messages both ways with the ws-echo canister in
 * ic-ws-devnet while a loopback proxy cuts the gateway off the IC for 15 s (connections refused). The
 * gateway re-posts the envelopes it could not relay until the IC answers again, in each session's order,
 * and polls on from where it was: no session closes, and every message arrives exactly once, in order.
 * A client that leaves during the outage gets its `ws_close` once the IC is back; a newcomer is refused with
 * 1013 and a retry hint meanwhile. The outage length can be
 * changed with IC_WS_TEST_OUTAGE_MS (default 15 000).
 */
import type { Principal } from '@dfinity/principal';
import type { Devnet } from 'ic-ws-devnet';
import type { WebsocketMessage } from 'ic-ws-protocol';
import { pino } from 'pino';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeEd25519Identity } from '../src/ic/node-ed25519-identity';
import { startGateway, type GatewayHandle } from '../src/start-gateway';
import { EchoClient, echoText } from './support/echo-client';
import { startEchoDevnet } from './support/echo-devnet';
import { IcProxy } from './support/ic-proxy';
import type { WsEchoActor } from './support/ws-echo-canister';

const OUTAGE_MS = Number(process.env.IC_WS_TEST_OUTAGE_MS ?? 15_000);
const CLIENTS = 20;
const SEND_EVERY_MS = 1_000;
const BROADCAST_EVERY_MS = 2_000;
const TRAFFIC_AROUND_MS = 3_000;

let devnet: Devnet;
let canisterId: Principal;
let echo: WsEchoActor;
let proxy: IcProxy;
let gateway: GatewayHandle;

beforeAll(async () => {
  ({ devnet, canisterId, echo } = await startEchoDevnet());
  proxy = await IcProxy.start(devnet.url);
  gateway = await startGateway({
    listen: '127.0.0.1:0',
    adminListen: '',
    icUrl: proxy.url,
    identity: NodeEd25519Identity.generate(),
    logger: pino({ level: 'silent' }),
    pollingIntervalMs: 50,
    pollBackoff: { initialMs: 200, maxMs: 2_000 },
  });
}, 120_000);

afterAll(async () => {
  await gateway?.close();
  await proxy?.close();
  await devnet?.close();
}, 60_000);

/** Everything a client received, in order, until its socket closes. */
function collect(client: EchoClient): WebsocketMessage[] {
  const received: WebsocketMessage[] = [];
  void (async () => {
    for (;;) received.push(await client.receive());
  })().catch(() => {});
  return received;
}

describe(`${CLIENTS} clients through a ${OUTAGE_MS / 1000} s IC outage`, () => {
  it('keep their sessions; every message both ways arrives exactly once, in order', async () => {
    const target = { gatewayUrl: gateway.url, gatewayPrincipal: gateway.principal, canisterId, rootKey: devnet.rootKey };
    const clients = await Promise.all(Array.from({ length: CLIENTS }, () => EchoClient.open(target).then((o) => o.client)));
    const leaver = (await EchoClient.open(target)).client;
    const received = clients.map(collect);
    const closes: number[] = [];
    for (const client of clients) client.socket.ws.on('close', (code: number) => closes.push(code));

    const sent: string[][] = clients.map(() => []);
    const broadcasts: string[] = [];
    let traffic = true;
    const senders = clients.map(async (client, i) => {
      for (let k = 0; traffic; k++) {
        const word = `c${i}-m${k}`;
        sent[i]!.push(word);
        await client.send(word);
        await new Promise((resolve) => setTimeout(resolve, SEND_EVERY_MS));
      }
    });
    const broadcaster = (async () => {
      for (let j = 0; traffic; j++) {
        broadcasts.push(`b${j}`);
        // The test reaches the canister directly: it goes on queueing while the gateway is cut off.
        expect(await echo.broadcast(`b${j}`)).toBeGreaterThanOrEqual(CLIENTS);
        await new Promise((resolve) => setTimeout(resolve, BROADCAST_EVERY_MS));
      }
    })();

    await new Promise((resolve) => setTimeout(resolve, TRAFFIC_AROUND_MS));
    const cutAt = performance.now();
    const outage = proxy.interrupt('refuse', () => performance.now() - cutAt >= OUTAGE_MS);
    // One client leaves while the IC is unreachable: its ws_close must wait for the IC, not be dropped.
    await leaver.close();
    // A newcomer is turned away with a retry hint: its ws_open could not get through anyway.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const newcomer = await EchoClient.open(target).then(
      () => 'opened',
      (error: unknown) => String(error),
    );
    expect(newcomer).toMatch(/\(1013: try again later; retry after \d+ ms\)/);
    await outage;
    const outageMs = performance.now() - cutAt;
    await new Promise((resolve) => setTimeout(resolve, TRAFFIC_AROUND_MS));
    traffic = false;
    await Promise.all([...senders, broadcaster]);

    // Each client (its OpenMessage, sequence number 1, came with the open): the echo of each of its words and
    // every broadcast.
    const expected = (i: number) => sent[i]!.length + broadcasts.length;
    await expect
      .poll(() => received.every((messages, i) => messages.length >= expected(i)), { timeout: 60_000, interval: 250 })
      .toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const [i, messages] of received.entries()) {
      expect(messages).toHaveLength(expected(i));
      // EchoClient checks that each message's sequence number is the previous one + 1 (an AckMessage it answers
      // and skips included): none lost, none twice, in order. Here: every message it returned after the
      // OpenMessage (number 1) was collected, in order.
      expect([1n, ...messages.map((m) => m.sequence_num)]).toEqual(clients[i]!.returnedSequenceNums);
      const texts = messages.map(echoText);
      expect(texts.filter((t) => t.startsWith('echo:'))).toEqual(sent[i]!.map((w) => `echo:${w}`));
      expect(texts.filter((t) => !t.startsWith('echo:'))).toEqual(broadcasts);
    }
    expect(closes).toEqual([]);
    expect(clients.every((c) => c.socket.ws.readyState === WebSocket.OPEN)).toBe(true);
    await expect.poll(() => echo.clientCount(), { timeout: 30_000, interval: 250 }).toBe(CLIENTS);

    const metrics = await gateway.metrics.registry.metrics();
    const retries = metrics.split('\n').filter((l) => l.startsWith('ic_ws_gateway_relay_retries_total{')).map((l) => Number(l.split(' ').at(-1)));
    const wsCloseRetries = Number(metrics.split('\n').find((l) => l.startsWith('ic_ws_gateway_ws_close_retries_total '))?.split(' ').at(-1) ?? 0);
    const messagesSent = sent.reduce((n, words) => n + words.length, 0);
    console.log(
      `outage: ${(outageMs / 1000).toFixed(1)} s cut; ${CLIENTS} clients sent ${messagesSent} messages and got ${messagesSent} echoes and ` +
        `${broadcasts.length} broadcasts each, in order, none twice; relays re-posted ${retries.reduce((a, b) => a + b, 0)} times, ` +
        `ws_close ${wsCloseRetries} times; a newcomer during the outage got "${newcomer}"; sessions closed by the gateway: 0`,
    );
    expect(wsCloseRetries).toBeGreaterThan(0);
    await Promise.all(clients.map((c) => c.close()));
  }, 300_000);
});
