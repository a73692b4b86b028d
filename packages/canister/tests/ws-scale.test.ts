/**
 * 1 000 clients on the real canister. Twenty go through the agent over HTTP (signed calls); the rest call
 * the devnet directly with their own caller principals (the agent's certificate checks would make 1 000
 * HTTP clients take minutes). The gateway polls over HTTP and verifies every one of the messages.
 */
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CanisterWsCloseArgumentsIdl,
  CanisterWsMessageArgumentsIdl,
  CanisterWsOpenArgumentsIdl,
  encodeServiceMessageContent,
  type ClientKey,
} from 'ic-ws-protocol';
import { AppMessageIdl } from './canisters/ws-test/src/ws-test-idl';
import { clientId } from './support/client-verifier';
import type { TestClient, TestGateway } from './support/ws-actors';
import { startWsTestEnv, type WsTestEnv } from './support/ws-test-env';

const CLIENTS = 1000;
const THROUGH_AGENT = 20;
/** Clients that also send an app message and answer the ack; the others stay silent and time out. */
const ACTIVE_DIRECT = 80;
const ACTIVE = THROUGH_AGENT + ACTIVE_DIRECT;
let env: WsTestEnv;
let gateway: TestGateway;

beforeAll(async () => {
  env = await startWsTestEnv({ send_ack_interval_ms: 60_001, keep_alive_timeout_ms: 5_000, max_messages_per_poll: 200 });
  gateway = await env.gateway();
}, 180_000);

afterAll(async () => {
  await env?.close();
});

/** A direct (unsigned) update as `caller`; throws on reject and returns the Candid reply decoded as Ok/Err. */
async function direct(caller: Principal, methodName: string, types: IDL.Type[], args: unknown[]): Promise<unknown> {
  const outcome = await env.devnet.update({ canisterId: env.canisterId, methodName, arg: new Uint8Array(IDL.encode(types, args)), caller });
  if (outcome.status !== 'replied') throw new Error(`${methodName} rejected: ${outcome.rejectMessage}`);
  return IDL.decode([IDL.Variant({ Ok: IDL.Null, Err: IDL.Text })], outcome.reply)[0];
}

function wsMessage(key: ClientKey, sequence: bigint, isService: boolean, content: Uint8Array) {
  return [{ msg: { client_key: key, sequence_num: sequence, timestamp: 0n, is_service_message: isService, content }, message_id: [] }, []];
}

describe(`${CLIENTS} clients`, () => {
  it('open, message, broadcast, ack and time out, every message verified', async () => {
    const agentClients: TestClient[] = [];
    for (let i = 0; i < THROUGH_AGENT; i++) agentClients.push(await env.client({ clientNonce: BigInt(i) }));
    for (const client of agentClients) expect(await client.open(gateway.principal)).toEqual({ Ok: null });
    const directKeys: ClientKey[] = [];
    for (let i = THROUGH_AGENT; i < CLIENTS; i++) {
      const key = { client_principal: Principal.fromUint8Array(Uint8Array.of(0x11, i >> 8, i & 0xff, 1)), client_nonce: BigInt(i) };
      expect(await direct(key.client_principal, 'ws_open', [CanisterWsOpenArgumentsIdl], [{ client_nonce: key.client_nonce, gateway_principal: gateway.principal }])).toEqual({ Ok: null });
      directKeys.push(key);
    }
    expect(await env.app.clients()).toHaveLength(CLIENTS);

    // One app message from each active client: through the agent for the first ones, directly for the rest.
    for (const [i, client] of agentClients.entries()) expect(await client.send({ text: `hi ${i}`, n: i })).toEqual({ Ok: null });
    for (const [i, key] of directKeys.slice(0, ACTIVE_DIRECT).entries()) {
      const content = new Uint8Array(IDL.encode([AppMessageIdl], [{ text: `hi ${i}`, n: i }]));
      expect(await direct(key.client_principal, 'ws_message', [CanisterWsMessageArgumentsIdl, IDL.Opt(AppMessageIdl)], wsMessage(key, 1n, false, content))).toEqual({ Ok: null });
    }
    expect(await env.app.broadcast({ text: 'to all', n: 0 })).toBe(CLIENTS);

    const received = await gateway.pollAll();
    expect(received).toHaveLength(2 * CLIENTS + ACTIVE);
    expect(received.map((m) => m.nonce)).toEqual(Array.from({ length: 2 * CLIENTS + ACTIVE }, (_, i) => BigInt(i)));
    expect(received.filter((m) => (m.app as { text?: string } | undefined)?.text?.startsWith('echo: '))).toHaveLength(ACTIVE);
    expect(new Set(received.map((m) => clientId(m.clientKey))).size).toBe(CLIENTS);
    expect(received.filter((m) => (m.app as { text?: string } | undefined)?.text === 'to all')).toHaveLength(CLIENTS);

    // One ack round for all (in two timer executions of 500); the active clients answer.
    await env.advance(61_000);
    const acks = await gateway.pollAll();
    expect(acks).toHaveLength(CLIENTS);
    expect(acks.every((m) => m.service !== undefined && 'AckMessage' in m.service)).toBe(true);
    for (const client of agentClients) {
      expect(await client.sendService({ KeepAliveMessage: { last_incoming_sequence_num: 4n } })).toEqual({ Ok: null });
    }
    const keepAlive = encodeServiceMessageContent({ KeepAliveMessage: { last_incoming_sequence_num: 4n } });
    for (const key of directKeys.slice(0, ACTIVE_DIRECT)) {
      expect(await direct(key.client_principal, 'ws_message', [CanisterWsMessageArgumentsIdl, IDL.Opt(AppMessageIdl)], wsMessage(key, 2n, true, keepAlive))).toEqual({ Ok: null });
    }
    await env.advance(5_000);
    expect(await env.app.clients()).toHaveLength(ACTIVE);
    const closes = await gateway.pollAll();
    expect(closes).toHaveLength(CLIENTS - ACTIVE);
    expect(closes.every((m) => JSON.stringify(m.service) === JSON.stringify({ CloseMessage: { reason: { KeepAliveTimeout: null } } }))).toBe(true);

    // The gateway closes the rest: a few over HTTP, the others directly.
    const open = await env.app.clients();
    for (const key of open.slice(0, 5)) expect(await gateway.close(key)).toEqual({ Ok: null });
    for (const key of open.slice(5)) expect(await direct(gateway.principal, 'ws_close', [CanisterWsCloseArgumentsIdl], [{ client_key: key }])).toEqual({ Ok: null });
    expect(await env.app.clients()).toEqual([]);
  }, 900_000);
});
