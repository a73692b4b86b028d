/**
 * Acks and keep-alives on the real canister with deterministic time: the ack interval is shortened to
 * 60 001 ms (azle timers take whole seconds: it fires at 61 s) and the keep-alive timeout to 5 s through
 * the init argument; IC time moves only when the test advances it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientId } from './support/client-verifier';
import type { TestClient, TestGateway } from './support/ws-actors';
import { eventsOf, startWsTestEnv, type WsTestEnv } from './support/ws-test-env';

const ACK_INTERVAL_MS = 60_001;
const KEEP_ALIVE_TIMEOUT_MS = 5_000;
let env: WsTestEnv;
let gateway: TestGateway;

beforeAll(async () => {
  env = await startWsTestEnv({ send_ack_interval_ms: ACK_INTERVAL_MS, keep_alive_timeout_ms: KEEP_ALIVE_TIMEOUT_MS });
  gateway = await env.gateway();
}, 180_000);

afterAll(async () => {
  await env?.close();
});

/** Polls everything queued; returns the payloads per client. */
async function pollPayloads(): Promise<(client: TestClient) => unknown[]> {
  const messages = await gateway.pollAll();
  return (client) => messages.filter((m) => clientId(m.clientKey) === clientId(client.key)).map((m) => m.service ?? m.app);
}

describe('acks and keep-alives', () => {
  it('acks every client each interval; a client that answers stays, a silent one is closed with KeepAliveTimeout', async () => {
    const answering = await env.client();
    const silent = await env.client();
    await answering.open(gateway.principal);
    await silent.open(gateway.principal);
    expect(await answering.send({ text: 'one', n: 1 })).toEqual({ Ok: null });
    await gateway.pollAll();

    // Azle timers take whole seconds: 60 001 ms is rounded up to 61 s, never down (an early ack is a bug).
    await env.advance(ACK_INTERVAL_MS + 500);
    expect(await gateway.pollAll()).toEqual([]);

    await env.advance(61_000 - ACK_INTERVAL_MS - 500);
    const acks = await pollPayloads();
    expect(acks(answering)).toEqual([{ AckMessage: { last_incoming_sequence_num: 1n } }]);
    expect(acks(silent)).toEqual([{ AckMessage: { last_incoming_sequence_num: 0n } }]);

    expect(await answering.sendService({ KeepAliveMessage: { last_incoming_sequence_num: 3n } })).toEqual({ Ok: null });
    await env.advance(KEEP_ALIVE_TIMEOUT_MS);
    expect(await env.app.is_connected({ Client: answering.key })).toBe(true);
    expect(await env.app.is_connected({ Client: silent.key })).toBe(false);
    expect((await pollPayloads())(silent)).toEqual([{ CloseMessage: { reason: { KeepAliveTimeout: null } } }]);
    expect(eventsOf(await env.app.events(), silent.key)).toEqual(['open:', 'close:KeepAliveTimeout']);

    // The next round acks what the canister received since: the app message and the keep-alive.
    await env.advance(ACK_INTERVAL_MS);
    expect((await pollPayloads())(answering)).toEqual([{ AckMessage: { last_incoming_sequence_num: 2n } }]);
    expect(await answering.sendService({ KeepAliveMessage: { last_incoming_sequence_num: 4n } })).toEqual({ Ok: null });
    await env.advance(KEEP_ALIVE_TIMEOUT_MS);
    expect(await env.app.is_connected({ Client: answering.key })).toBe(true);
  });
});
