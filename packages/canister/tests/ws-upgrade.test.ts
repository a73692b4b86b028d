/**
 * An upgrade with clients connected: connection state, queues and the ack schedule live in stable memory,
 * so after the upgrade the clients keep working, nonces and sequence numbers continue (the same verifier
 * checks before and after), and the ack timers are armed again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientId } from './support/client-verifier';
import type { TestGateway } from './support/ws-actors';
import { wsTestInitArg } from './support/ws-test-canister';
import { startWsTestEnv, type WsTestEnv } from './support/ws-test-env';

const OPTIONS = { send_ack_interval_ms: 60_001, keep_alive_timeout_ms: 5_000 };
let env: WsTestEnv;
let gateway: TestGateway;

beforeAll(async () => {
  env = await startWsTestEnv(OPTIONS);
  gateway = await env.gateway();
}, 180_000);

afterAll(async () => {
  await env?.close();
});

describe('upgrade with clients connected', () => {
  it('keeps clients, queued messages, nonces, sequence numbers and the ack schedule', async () => {
    const a = await env.client();
    const b = await env.client();
    await a.open(gateway.principal);
    await b.open(gateway.principal);
    expect(await a.send({ text: 'before', n: 1 })).toEqual({ Ok: null });
    const before = await gateway.pollAll();
    expect(before).toHaveLength(3);
    // Queued before the upgrade, polled after it.
    expect(await env.app.send_many({ Client: b.key }, 3, 5)).toEqual({ Ok: null });

    await env.devnet.upgrade({ canisterId: env.canisterId, wasm: env.wasm, arg: wsTestInitArg(OPTIONS) });
    await env.devnet.tick();

    // The heap is new (the event log restarted); the connections are not.
    expect(await env.app.events()).toEqual([]);
    expect((await env.app.clients()).map(clientId).sort()).toEqual([clientId(a.key), clientId(b.key)].sort());
    expect(await a.send({ text: 'after', n: 2 })).toEqual({ Ok: null });
    const late = await env.client();
    expect(await late.open(gateway.principal)).toEqual({ Ok: null });

    const after = await gateway.pollAll();
    expect(after.map((m) => m.nonce)).toEqual([3n, 4n, 5n, 6n, 7n]);
    expect(after.map((m) => [clientId(m.clientKey), m.sequenceNum])).toEqual([
      [clientId(b.key), 2n],
      [clientId(b.key), 3n],
      [clientId(b.key), 4n],
      [clientId(a.key), 3n],
      [clientId(late.key), 1n],
    ]);
    expect(after[3]?.app).toEqual({ text: 'echo: after', n: 2 });

    // The ack round set before the upgrade still comes, at 61 s after install; then b, silent, times out.
    await env.advance(61_000);
    const acks = await gateway.pollAll();
    expect(acks.map((m) => [clientId(m.clientKey), m.service])).toEqual(
      expect.arrayContaining([
        [clientId(a.key), { AckMessage: { last_incoming_sequence_num: 2n } }],
        [clientId(b.key), { AckMessage: { last_incoming_sequence_num: 0n } }],
      ]),
    );
    expect(await a.sendService({ KeepAliveMessage: { last_incoming_sequence_num: 4n } })).toEqual({ Ok: null });
    expect(await late.sendService({ KeepAliveMessage: { last_incoming_sequence_num: 2n } })).toEqual({ Ok: null });
    await env.advance(5_000);
    expect(await env.app.is_connected({ Client: a.key })).toBe(true);
    expect(await env.app.is_connected({ Client: b.key })).toBe(false);
    expect((await gateway.pollAll()).map((m) => [clientId(m.clientKey), m.service])).toEqual([
      [clientId(b.key), { CloseMessage: { reason: { KeepAliveTimeout: null } } }],
    ]);
  });
});
