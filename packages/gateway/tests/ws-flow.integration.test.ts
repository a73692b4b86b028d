/**
 * The whole path through a real gateway: a WebSocket client (signing real envelopes) <-> startGateway <->
 * ic-ws-devnet running the ws-echo canister (ic-ws-canister on Azle). Every IC check is real: signatures on
 * relayed calls, signed query answers for the gateway's polls, certificates the test verifies itself.
 */
import { createHash } from 'node:crypto';
import { Certificate, lookupResultToBuffer } from '@dfinity/agent';
import { IDL } from '@dfinity/candid';
import type { Principal } from '@dfinity/principal';
import {
  CanisterWsMessageArgumentsIdl,
  CanisterWsOpenArgumentsIdl,
  decodeCanisterMessageFrame,
  decodeHandshakeFrame,
  decodeHashTree,
  decodeServiceMessageContent,
  decodeWebsocketMessage,
  lookupPath,
  reconstruct,
  type ClientKey,
  type WebsocketMessage,
} from 'ic-ws-protocol';
import { startDevnet, type Devnet } from 'ic-ws-devnet';
import { IcWebSocket } from 'ic-ws-client';
import { WebSocket } from 'ws';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeEd25519Identity } from '../src/ic/node-ed25519-identity';
import { startGateway, type GatewayHandle } from '../src/start-gateway';
import { signedRequestFrame } from '../src/testing/signed-request-frame';
import { TestClient } from '../src/testing/test-client';
import { buildWsEcho, wsEchoActor, type WsEchoActor } from './support/ws-echo-canister';

let wasm: Uint8Array;
let devnet: Devnet;
let canisterId: Principal;
let gateway: GatewayHandle;
let echo: WsEchoActor;
let nonce = 1000n;

/** A client of the ws-echo canister through the gateway, verifying what it receives like a real client. */
class EchoClient {
  readonly identity = NodeEd25519Identity.generate();
  readonly key: ClientKey = { client_principal: this.identity.getPrincipal(), client_nonce: nonce++ };
  private sent = 0n;
  private constructor(readonly socket: TestClient) {}

  static async open(): Promise<{ client: EchoClient; first: WebsocketMessage }> {
    const socket = await TestClient.connect(gateway.url);
    expect(decodeHandshakeFrame(await socket.nextFrame()).gateway_principal.toText()).toBe(gateway.principal.toText());
    const client = new EchoClient(socket);
    const arg = new Uint8Array(IDL.encode([CanisterWsOpenArgumentsIdl], [{ client_nonce: client.key.client_nonce, gateway_principal: gateway.principal }]));
    socket.send(await signedRequestFrame(client.identity, { canisterId, methodName: 'ws_open', arg }));
    return { client, first: await client.receive() };
  }

  /** The next canister message, after checking certificate, witness and hash as a client must. */
  async receive(): Promise<WebsocketMessage> {
    const frame = decodeCanisterMessageFrame(await this.socket.nextFrame());
    const certificate = await Certificate.create({ certificate: frame.cert, rootKey: devnet.rootKey, canisterId });
    const certified = lookupResultToBuffer(certificate.lookup_path(['canister', canisterId.toUint8Array(), 'certified_data']));
    const witness = decodeHashTree(frame.tree);
    expect(certified).toEqual(reconstruct(witness));
    expect(lookupPath(witness, ['websocket', frame.key])).toEqual({ status: 'found', value: new Uint8Array(createHash('sha256').update(frame.content).digest()) });
    expect(frame.key.startsWith(`${gateway.principal.toText()}_`)).toBe(true);
    const message = decodeWebsocketMessage(frame.content);
    expect(message.client_key.client_principal.toText()).toBe(this.key.client_principal.toText());
    expect(message.client_key.client_nonce).toBe(this.key.client_nonce);
    return message;
  }

  async send(text: string): Promise<void> {
    this.sent += 1n;
    const msg: WebsocketMessage = {
      client_key: this.key,
      sequence_num: this.sent,
      timestamp: BigInt(Date.now()) * 1_000_000n,
      is_service_message: false,
      content: new Uint8Array(IDL.encode([IDL.Text], [text])),
    };
    const arg = new Uint8Array(IDL.encode([CanisterWsMessageArgumentsIdl, IDL.Opt(IDL.Text)], [{ msg }, []]));
    this.socket.send(await signedRequestFrame(this.identity, { canisterId, methodName: 'ws_message', arg }));
  }
}

const text = (message: WebsocketMessage) => IDL.decode([IDL.Text], message.content)[0];

beforeAll(async () => {
  wasm = await buildWsEcho();
  devnet = await startDevnet();
  canisterId = await devnet.install({ wasm });
  gateway = await startGateway({
    listen: '127.0.0.1:0',
    adminListen: '127.0.0.1:0',
    icUrl: devnet.url,
    identity: NodeEd25519Identity.generate(),
    logger: pino({ level: 'silent' }),
    pollingIntervalMs: 20,
  });
  echo = await wsEchoActor(devnet.url, canisterId);
}, 120_000);

afterAll(async () => {
  await gateway?.close();
  await devnet?.close();
});

describe('a WebSocket session through the gateway to a real canister', () => {
  it('opens (OpenMessage certified and routed), echoes in order both ways, and ws_close removes the client', async () => {
    const { client, first } = await EchoClient.open();
    expect(first.is_service_message).toBe(true);
    expect(first.sequence_num).toBe(1n);
    expect(decodeServiceMessageContent(first.content)).toMatchObject({ OpenMessage: { client_key: { client_nonce: client.key.client_nonce } } });
    expect(await echo.clientCount()).toBe(1);

    for (const word of ['one', 'two', 'three']) await client.send(word);
    const replies = [await client.receive(), await client.receive(), await client.receive()];
    expect(replies.map(text)).toEqual(['echo:one', 'echo:two', 'echo:three']);
    expect(replies.map((m) => m.sequence_num)).toEqual([2n, 3n, 4n]);

    client.socket.ws.close();
    await expect.poll(() => echo.clientCount(), { timeout: 10_000 }).toBe(0);
  });

  it('serves several clients at once, each getting only its own messages', async () => {
    const [a, b] = await Promise.all([EchoClient.open(), EchoClient.open()]);
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
    const before = await EchoClient.open();
    await before.client.send('x');
    await before.client.receive();
    // The echo canister keeps its state on the heap only: the upgrade forgets clients and nonces.
    await devnet.upgrade({ canisterId, wasm });
    const after = await EchoClient.open();
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
