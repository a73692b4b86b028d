/**
 * The gateway's IC side (relay, poll, ws_close, status) against ic-ws-devnet running the ws-echo canister,
 * with every IC check on: sender signatures, signed query answers, certificates.
 */
import { IDL } from '@dfinity/candid';
import type { Principal } from '@dfinity/principal';
import {
  CanisterWsGetMessagesResultIdl,
  CanisterWsOpenArgumentsIdl,
  CanisterWsOpenResultIdl,
  CloseCode,
  ErrorCode,
  cborDecode,
  cborEncode,
  decodeClientRequestFrame,
  decodeServiceMessageContent,
  decodeWebsocketMessage,
  expectMap,
  formatOutgoingKey,
  type CborEncodable,
  type CborValue,
  type ClientKey,
} from 'ic-ws-protocol';
import { canisterIdFromIndex, startDevnet, type Devnet } from 'ic-ws-devnet';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayIc } from '../src/ic/gateway-ic';
import { NodeEd25519Identity } from '../src/ic/node-ed25519-identity';
import { startGateway } from '../src/start-gateway';
import { signedRequestFrame } from '../src/testing/signed-request-frame';
import { TestClient } from '../src/testing/test-client';
import { devnetGatewayIc } from './support/devnet-gateway-ic';
import { startTamperingProxy } from './support/tampering-proxy';
import { buildWsEcho, wsEchoActor } from './support/ws-echo-canister';

const gatewayIdentity = NodeEd25519Identity.generate();
const user = NodeEd25519Identity.generate();
let wasm: Uint8Array;
let nonce = 1n;

function openArg(clientNonce: bigint, gateway: Principal = gatewayIdentity.getPrincipal()): Uint8Array {
  return new Uint8Array(IDL.encode([CanisterWsOpenArgumentsIdl], [{ client_nonce: clientNonce, gateway_principal: gateway }]));
}

async function openEnvelope(canisterId: Principal, clientNonce: bigint, corruptSignature = false): Promise<Uint8Array> {
  const frame = await signedRequestFrame(user, { canisterId, methodName: 'ws_open', arg: openArg(clientNonce), corruptSignature });
  return decodeClientRequestFrame(frame).envelopeBytes;
}

beforeAll(async () => {
  wasm = await buildWsEcho();
}, 120_000);

describe.each([
  { syncCall: true, label: 'v3 synchronous calls' },
  { syncCall: false, label: 'v2 calls (v3 answers 404)' },
])('the HTTP GatewayIc against the devnet, $label', ({ syncCall }) => {
  let devnet: Devnet;
  let canisterId: Principal;
  let ic: GatewayIc;

  beforeAll(async () => {
    devnet = await startDevnet({ syncCall });
    canisterId = await devnet.install({ wasm });
    ic = await devnetGatewayIc(devnet.url, gatewayIdentity);
    // The presence call ic-ws-gateway makes: a ws_close naming the gateway itself proves it holds its key, so
    // its clients get no early ack (their OpenMessage is the only message queued for them).
    await ic.wsClose(canisterId, { client_principal: gatewayIdentity.getPrincipal(), client_nonce: 0n });
  }, 60_000);
  afterAll(() => devnet?.close());

  it('relays a signed ws_open unchanged, polls its OpenMessage with a signed query, and ws_close removes the client', async () => {
    const echo = await wsEchoActor(devnet.url, canisterId);
    const key: ClientKey = { client_principal: user.getPrincipal(), client_nonce: nonce++ };
    const reply = await ic.relayCall(canisterId, await openEnvelope(canisterId, key.client_nonce), { readReply: true });
    if (syncCall) {
      expect(reply.status).toBe('replied');
      expect(IDL.decode([CanisterWsOpenResultIdl], (reply as { reply: Uint8Array }).reply)).toEqual([{ Ok: null }]);
    } else {
      expect(reply).toEqual({ status: 'unknown' });
    }
    await expect.poll(() => echo.clientCount()).toBe(1);

    const batch = await ic.getMessages(canisterId, 0n);
    expect(batch.messages).toHaveLength(1);
    expect(batch.messages[0]!.key).toBe(formatOutgoingKey(gatewayIdentity.getPrincipal(), 0n));
    const open = decodeWebsocketMessage(batch.messages[0]!.content);
    expect(decodeServiceMessageContent(open.content)).toMatchObject({ OpenMessage: { client_key: { client_nonce: key.client_nonce } } });
    expect(batch.cert.length).toBeGreaterThan(0);

    await ic.wsClose(canisterId, key);
    expect(await echo.clientCount()).toBe(0);
    await expect(ic.wsClose(canisterId, key)).rejects.toMatchObject({ code: ErrorCode.WsCloseFailed });
  });

  it('reports an envelope with a bad signature as RELAY_REJECTED, and the canister does not run it', async () => {
    const echo = await wsEchoActor(devnet.url, canisterId);
    await expect(ic.relayCall(canisterId, await openEnvelope(canisterId, nonce++, true))).rejects.toMatchObject({
      code: ErrorCode.RelayRejected,
    });
    expect(await echo.clientCount()).toBe(0);
  });

  it.each(['http', 'fetch'] as const)(
    'refuses (POLL_FAILED) a query answer whose reply or node signature was changed on the way (polls over %s)',
    async (transport) => {
      const tampered = async (change: (answer: Map<CborValue, CborValue>) => void) => {
        const tamper = (path: string, status: number, body: Uint8Array): Uint8Array => {
          if (!path.endsWith('/query') || status !== 200) return body;
          const answer = expectMap(cborDecode(body), 'query answer');
          change(answer);
          return cborEncode(answer as Map<string, CborEncodable>);
        };
        if (transport === 'fetch') {
          const tamperingFetch: typeof fetch = async (input, init) => {
            const response = await globalThis.fetch(input, init);
            const body = tamper(new URL(String(input)).pathname, response.status, new Uint8Array(await response.arrayBuffer()));
            return new Response(body as Uint8Array<ArrayBuffer>, { status: response.status, headers: response.headers });
          };
          return (await devnetGatewayIc(devnet.url, gatewayIdentity, tamperingFetch)).getMessages(canisterId, 0n);
        }
        // The default transport (keep-alive http) does not go through fetch: tamper in a proxy.
        const proxy = await startTamperingProxy(devnet.url, tamper);
        try {
          return await (await devnetGatewayIc(proxy.url, gatewayIdentity)).getMessages(canisterId, 0n);
        } finally {
          await proxy.close();
        }
      };
      await expect(tampered(() => {})).resolves.toMatchObject({ is_end_of_queue: true });
      const signatureOf = (answer: Map<CborValue, CborValue>) => expectMap((answer.get('signatures') as CborValue[])[0]!, 'signature');
      await expect(
        tampered((answer) => {
          const reply = expectMap(answer.get('reply')!, 'reply');
          reply.set('arg', IDL.encode([CanisterWsGetMessagesResultIdl], [{ Err: 'forged' }]));
        }),
      ).rejects.toMatchObject({ code: ErrorCode.PollFailed, message: expect.stringMatching(/signature of node .* does not verify/) });
      await expect(
        tampered((answer) => {
          const signature = signatureOf(answer);
          signature.set('signature', (signature.get('signature') as Uint8Array).map((byte, i) => (i === 0 ? byte ^ 1 : byte)));
        }),
      ).rejects.toMatchObject({ code: ErrorCode.PollFailed, message: expect.stringMatching(/does not verify/) });
      // An answer signed long ago (replayed): refused even though the signature itself is good.
      await expect(
        tampered((answer) => {
          const signature = signatureOf(answer);
          signature.set('timestamp', BigInt(Date.now() - 10 * 60_000) * 1_000_000n);
        }),
      ).rejects.toMatchObject({ code: ErrorCode.PollFailed, message: expect.stringMatching(/older than/) });
      await expect(tampered((answer) => answer.delete('signatures'))).rejects.toMatchObject({ message: expect.stringMatching(/no node signature/) });
      await expect(tampered((answer) => answer.set('status', 'maybe'))).rejects.toMatchObject({
        code: ErrorCode.PollFailed,
        message: expect.stringMatching(/query answer is malformed: .*unknown status "maybe"/),
      });
    },
  );

  it('signs one query envelope per canister, nonce and minute: an idle canister\'s polls repeat it', async () => {
    const posted: string[] = [];
    const recordingFetch: typeof fetch = async (input, init) => {
      if (String(input).endsWith('/query')) posted.push(Buffer.from(init!.body as Uint8Array).toString('hex'));
      return globalThis.fetch(input, init);
    };
    const recording = await devnetGatewayIc(devnet.url, gatewayIdentity, recordingFetch);
    const minute = () => Math.floor((Date.now() + 5 * 60_000) / 60_000);
    let before: number;
    do {
      posted.length = 0;
      before = minute();
      await recording.getMessages(canisterId, 1_000n);
      await recording.getMessages(canisterId, 1_000n);
      await recording.getMessages(canisterId, 1_001n);
    } while (minute() !== before); // the expiry moved on between polls: ask again
    expect(posted).toHaveLength(3);
    expect(posted[1]).toBe(posted[0]);
    expect(posted[2]).not.toBe(posted[0]);
  });

  it('checks the IC status, and reports polling a canister that does not exist as POLL_FAILED', async () => {
    await expect(ic.checkStatus()).resolves.toBeUndefined();
    await expect(ic.getMessages(canisterIdFromIndex(999n), 0n)).rejects.toMatchObject({ code: ErrorCode.PollFailed });
  });
});

describe('startGateway against the devnet', () => {
  let devnet: Devnet;
  let canisterId: Principal;

  beforeAll(async () => {
    devnet = await startDevnet();
    canisterId = await devnet.install({ wasm });
  }, 60_000);
  afterAll(() => devnet?.close());

  it('is ready once the IC answers, and closes at once (4005, with the canister text) a session whose ws_open returns Err', async () => {
    const gateway = await startGateway({
      listen: '127.0.0.1:0',
      adminListen: '127.0.0.1:0',
      icUrl: devnet.url,
      identity: gatewayIdentity,
      logger: pino({ level: 'silent' }),
      openTimeoutMs: 60_000,
    });
    await expect.poll(async () => (await fetch(`${gateway.adminUrl}/readyz`)).status).toBe(200);
    // Register the client key with the canister behind the gateway's back, so the canister refuses it.
    const clientNonce = nonce++;
    const ic = await devnetGatewayIc(devnet.url, gatewayIdentity);
    await ic.relayCall(canisterId, await openEnvelope(canisterId, clientNonce));

    const client = await TestClient.connect(gateway.url);
    await client.nextFrame();
    client.send(await signedRequestFrame(user, { canisterId, methodName: 'ws_open', arg: openArg(clientNonce) }));
    const closed = await client.closed;
    expect(closed.code).toBe(CloseCode.RelayFailed);
    expect(closed.reason).toMatch(/^ws_open rejected: .*Err/);

    // ws_open for a canister that does not exist is refused by the IC itself.
    const other = await TestClient.connect(gateway.url);
    await other.nextFrame();
    other.send(await signedRequestFrame(user, { canisterId: canisterIdFromIndex(999n), methodName: 'ws_open', arg: openArg(nonce++) }));
    expect((await other.closed).code).toBe(CloseCode.RelayFailed);
    await gateway.close();
  });
});
