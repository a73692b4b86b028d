/**
 * The whole path through a real gateway: a WebSocket client (signing real envelopes) <-> startGateway <->
 * ic-ws-devnet running the ws-echo canister (ic-ws-canister on Azle). Every IC check is real: signatures on
 * relayed calls, signed query answers for the gateway's polls, certificates the test verifies itself.
 */
import { IDL } from '@dfinity/candid';
import type { Principal } from '@dfinity/principal';
import { decodeServiceMessageContent } from 'ic-ws-protocol';
import type { Devnet } from 'ic-ws-devnet';
import { IcWebSocket } from 'ic-ws-client';
import { WebSocket } from 'ws';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeEd25519Identity } from '../src/ic/node-ed25519-identity';
import { startGateway, type GatewayHandle } from '../src/start-gateway';
import { EchoClient, echoText, type EchoTarget } from './support/echo-client';
import { startEchoDevnet } from './support/echo-devnet';
import type { WsEchoActor } from './support/ws-echo-canister';

let wasm: Uint8Array;
let devnet: Devnet;
let canisterId: Principal;
let gateway: GatewayHandle;
let echo: WsEchoActor;

const target = (): EchoTarget => ({ gatewayUrl: gateway.url, gatewayPrincipal: gateway.principal, canisterId, rootKey: devnet.rootKey });
const openClient = () => EchoClient.open(target());
const text = echoText;

beforeAll(async () => {
  ({ devnet, wasm, canisterId, echo } = await startEchoDevnet());
  gateway = await startGateway({
    listen: '127.0.0.1:0',
    adminListen: '127.0.0.1:0',
    icUrl: devnet.url,
    identity: NodeEd25519Identity.generate(),
    logger: pino({ level: 'silent' }),
    pollingIntervalMs: 20,
  });
}, 120_000);

afterAll(async () => {
  await gateway?.close();
  await devnet?.close();
});

describe('a WebSocket session through the gateway to a real canister', () => {
  it('opens (OpenMessage certified and routed), echoes in order both ways, and ws_close removes the client', async () => {
    const { client, first } = await openClient();
    expect(first.is_service_message).toBe(true);
    expect(first.sequence_num).toBe(1n);
    expect(decodeServiceMessageContent(first.content)).toMatchObject({ OpenMessage: { client_key: { client_nonce: client.key.client_nonce } } });
    expect(await echo.clientCount()).toBe(1);

    for (const word of ['one', 'two', 'three']) await client.send(word);
    const replies = [await client.receive(), await client.receive(), await client.receive()];
    expect(replies.map(text)).toEqual(['echo:one', 'echo:two', 'echo:three']);
    // Numbered 2, 3, 4, but for AckMessages the client answered and skipped in between (an early ack when the
    // gateway's presence call is slow).
    expect([first, ...replies].map((m) => m.sequence_num)).toEqual(client.returnedSequenceNums);

    client.socket.ws.close();
    await expect.poll(() => echo.clientCount(), { timeout: 10_000 }).toBe(0);
  });

  it('serves several clients at once, each getting only its own messages', async () => {
    const [a, b] = await Promise.all([openClient(), openClient()]);
    await a.client.send('from-a');
    await b.client.send('from-b');
    expect(text(await a.client.receive())).toBe('echo:from-a');
    expect(text(await b.client.receive())).toBe('echo:from-b');
    expect(await echo.broadcast('all')).toBe(2);
    expect(text(await a.client.receive())).toBe('all');
    expect(text(await b.client.receive())).toBe('all');
    a.client.socket.ws.close();
    b.client.socket.ws.close();
    await expect.poll(() => echo.clientCount(), { timeout: 10_000 }).toBe(0);
  });

  it('follows the canister when an upgrade restarts its nonces: a new client still opens', async () => {
    const before = await openClient();
    await before.client.send('x');
    await before.client.receive();
    // The echo canister keeps its state on the heap only: the upgrade forgets clients and nonces.
    await devnet.upgrade({ canisterId, wasm });
    const after = await openClient();
    expect(after.first.sequence_num).toBe(1n);
    const metrics = await gateway.metrics.registry.getSingleMetricAsString('ic_ws_gateway_nonce_resyncs_total');
    expect(metrics).toContain('kind="restart"} 1');
    await after.client.send('still here');
    expect(text(await after.client.receive())).toBe('echo:still here');
    before.client.socket.ws.close();
    after.client.socket.ws.close();
  }, 60_000);

  it('works with ic-ws-client end to end: the client verifies every certified message it gets through the gateway', async () => {
    const client = new IcWebSocket<string>({
      gatewayUrl: gateway.url,
      canisterId,
      identity: NodeEd25519Identity.generate(),
      networkUrl: devnet.url,
      rootKey: devnet.rootKey,
      appMessageIdl: IDL.Text,
      reconnect: false,
      WebSocket: WebSocket as never,
    });
    const received: string[] = [];
    const opened = new Promise<void>((resolve, reject) => {
      client.onopen = () => resolve();
      client.onerror = (event) => reject(event.error);
    });
    const echoed = new Promise<void>((resolve) => {
      client.onmessage = (event) => {
        received.push(event.data);
        if (received.length === 2) resolve();
      };
    });
    await opened;
    client.send('first');
    client.send('second');
    await echoed;
    expect(received).toEqual(['echo:first', 'echo:second']);
    const closed = new Promise((resolve) => (client.onclose = resolve));
    client.close();
    await closed;
    await expect.poll(() => echo.clientCount(), { timeout: 10_000 }).toBe(0);
  });
});
