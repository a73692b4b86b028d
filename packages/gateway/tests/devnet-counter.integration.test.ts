/**
 * The gateway's IC side against a real local IC (ic-ws-devnet running Azle wasm with signature checks,
 * certificates and signed query answers), using the devnet's counter canister. The full WebSocket flow
 * against an ic-ws canister lives in ws-flow.integration.test.ts.
 */
import { fileURLToPath } from 'node:url';
import { readFile } from 'node:fs/promises';
import { Actor, HttpAgent } from '@dfinity/agent';
import { IDL } from '@dfinity/candid';
import type { Principal } from '@dfinity/principal';
import { CanisterWsOpenArgumentsIdl, CloseCode, ErrorCode, decodeClientRequestFrame } from 'ic-ws-protocol';
import { buildAzleCanister, startDevnet, type Devnet } from 'ic-ws-devnet';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpGatewayIc } from '../src/ic/http-gateway-ic';
import { NodeEd25519Identity } from '../src/ic/node-ed25519-identity';
import { startGateway } from '../src/start-gateway';
import { signedRequestFrame } from '../src/testing/signed-request-frame';
import { TestClient } from '../src/testing/test-client';
import type { GatewayIc } from '../src/ic/gateway-ic';

const COUNTER_DIR = fileURLToPath(new URL('../../devnet/tests/canisters/counter', import.meta.url));
const NO_ARGS = new Uint8Array(IDL.encode([], []));
const gatewayIdentity = NodeEd25519Identity.generate();
const user = NodeEd25519Identity.generate();
let wasm: Uint8Array;

async function counterValue(devnet: Devnet, canisterId: Principal): Promise<bigint> {
  const agent = await HttpAgent.create({ host: devnet.url, shouldFetchRootKey: true });
  const actor = Actor.createActor<{ get(): Promise<bigint> }>(({ IDL: idl }) => idl.Service({ get: idl.Func([], [idl.Nat64], ['query']) }), {
    agent,
    canisterId,
  });
  return actor.get();
}

async function envelopeOf(canisterId: Principal, methodName: string, arg = NO_ARGS, corruptSignature = false): Promise<Uint8Array> {
  const frame = await signedRequestFrame(user, { canisterId, methodName, arg, corruptSignature });
  return decodeClientRequestFrame(frame).envelopeBytes;
}

beforeAll(async () => {
  const built = await buildAzleCanister({ dfxJsonDir: COUNTER_DIR, name: 'counter' });
  wasm = new Uint8Array(await readFile(built.wasmPath));
}, 120_000);

describe.each([
  { syncCall: true, label: 'v3 synchronous call' },
  { syncCall: false, label: 'v2 call (v3 answers 404)' },
])('the HTTP GatewayIc against the devnet, $label', ({ syncCall }) => {
  let devnet: Devnet;
  let canisterId: Principal;
  let ic: GatewayIc;

  beforeAll(async () => {
    devnet = await startDevnet({ syncCall });
    canisterId = await devnet.install({ wasm, arg: new Uint8Array(IDL.encode([IDL.Opt(IDL.Text)], [[]])) });
    ic = await createHttpGatewayIc({
      icUrl: new URL(devnet.url),
      identity: gatewayIdentity,
      fetch: globalThis.fetch,
      rootKey: { kind: 'fetch' },
      requestTimeoutMs: 10_000,
    });
  }, 60_000);
  afterAll(() => devnet?.close());

  it('relays a signed envelope unchanged: the canister runs the call', async () => {
    const before = await counterValue(devnet, canisterId);
    const reply = await ic.relayCall(canisterId, await envelopeOf(canisterId, 'increment'), { readReply: true });
    if (syncCall) {
      expect(reply.status).toBe('replied');
      expect(IDL.decode([IDL.Nat64], (reply as { reply: Uint8Array }).reply)).toEqual([before + 1n]);
    } else {
      expect(reply).toEqual({ status: 'unknown' });
    }
    await expect.poll(() => counterValue(devnet, canisterId)).toBe(before + 1n);
  });

  it('reports an envelope with a bad signature as RELAY_REJECTED, and the canister does not run it', async () => {
    const before = await counterValue(devnet, canisterId);
    await expect(ic.relayCall(canisterId, await envelopeOf(canisterId, 'increment', NO_ARGS, true))).rejects.toMatchObject({
      code: ErrorCode.RelayRejected,
    });
    expect(await counterValue(devnet, canisterId)).toBe(before);
  });

  it('polls and closes through the agent with verified query signatures; a canister without them fails with codes', async () => {
    await expect(ic.checkStatus()).resolves.toBeUndefined();
    await expect(ic.getMessages(canisterId, 0n)).rejects.toMatchObject({ code: ErrorCode.PollFailed });
    const clientKey = { client_principal: user.getPrincipal(), client_nonce: 1n };
    await expect(ic.wsClose(canisterId, clientKey)).rejects.toMatchObject({ code: ErrorCode.WsCloseFailed });
  });
});

describe('startGateway against the devnet', () => {
  let devnet: Devnet;
  let canisterId: Principal;

  beforeAll(async () => {
    devnet = await startDevnet();
    canisterId = await devnet.install({ wasm, arg: new Uint8Array(IDL.encode([IDL.Opt(IDL.Text)], [[]])) });
  }, 60_000);
  afterAll(() => devnet?.close());

  it('is ready once the IC answers, and closes a session whose ws_open the canister rejects with 4005 at once', async () => {
    const gateway = await startGateway({
      listen: '127.0.0.1:0',
      adminListen: '127.0.0.1:0',
      icUrl: devnet.url,
      identity: gatewayIdentity,
      logger: pino({ level: 'silent' }),
      openTimeoutMs: 60_000,
    });
    await expect.poll(async () => (await fetch(`${gateway.adminUrl}/readyz`)).status).toBe(200);
    const client = await TestClient.connect(gateway.url);
    await client.nextFrame();
    const arg = new Uint8Array(IDL.encode([CanisterWsOpenArgumentsIdl], [{ client_nonce: 7n, gateway_principal: gateway.principal }]));
    client.send(await signedRequestFrame(user, { canisterId, methodName: 'ws_open', arg }));
    const closed = await client.closed;
    expect(closed.code).toBe(CloseCode.RelayFailed);
    expect(closed.reason).toMatch(/ws_open rejected/);
    await gateway.close();
  });
});
