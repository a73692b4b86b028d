import { connect } from 'node:net';
import { CloseCode, decodeCanisterMessageFrame, decodeHandshakeFrame, type ClientKey } from 'ic-ws-protocol';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeEd25519Identity } from '../src/ic/node-ed25519-identity';
import { startGateway, type GatewayHandle } from '../src/start-gateway';
import { messageFrame, openFrame, testCanisterId, testPrincipal } from '../src/testing/client-frames';
import { ScriptedIc } from '../src/testing/scripted-ic';
import { TestClient } from '../src/testing/test-client';
import { clientKeyId } from '../src/session/session-state';

const canister = testCanisterId(1);
const otherCanister = testCanisterId(2);
const identity = NodeEd25519Identity.generate();
const gatewayPrincipal = identity.getPrincipal();
const ic = new ScriptedIc(() => gatewayPrincipal);
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
let gateway: GatewayHandle;
let nextNonce = 1n;

function newKey(seed = 50): ClientKey {
  return { client_principal: testPrincipal(seed), client_nonce: nextNonce++ };
}

/** Connects, checks the handshake, opens a session for a fresh key and waits for its first message. */
async function openClient(key = newKey()): Promise<{ client: TestClient; key: ClientKey }> {
  const client = await TestClient.connect(gateway.url);
  expect(decodeHandshakeFrame(await client.nextFrame()).gateway_principal.toText()).toBe(gatewayPrincipal.toText());
  const relayedBefore = ic.relayed.length;
  client.send(openFrame(canister, key, gatewayPrincipal));
  await ic.relayedAtLeast(relayedBefore + 1);
  ic.enqueue(canister, key, Uint8Array.of(0x0e));
  expect(decodeCanisterMessageFrame(await client.nextFrame()).content).toEqual(Uint8Array.of(0x0e));
  return { client, key };
}

async function metric(name: string, labels: string): Promise<number> {
  const text = await gateway.metrics.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  gateway = await startGateway({
    listen: '127.0.0.1:0',
    adminListen: '127.0.0.1:0',
    identity,
    ic,
    logger: pino({ level: 'silent' }),
    pollingIntervalMs: 5,
    maxPayload: 64 * 1024,
    maxOutboundBytesPerSession: 1024 * 1024,
    maxConnections: 200,
  });
});

afterAll(async () => {
  await gateway.close();
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
});

describe('hostile clients against a real gateway', () => {
  it('closes a junk first frame with 4000', async () => {
    const client = await TestClient.connect(gateway.url);
    client.send(Uint8Array.of(0xff, 0xfe, 0x00, 0x01));
    expect((await client.closed).code).toBe(CloseCode.InvalidFirstFrame);
  });

  it('closes a text first frame with 4000', async () => {
    const client = await TestClient.connect(gateway.url);
    client.send('{"envelope":{}}');
    expect((await client.closed).code).toBe(CloseCode.InvalidFirstFrame);
  });

  it('closes an envelope for another method with 4002, without relaying it', async () => {
    const before = ic.relayed.length;
    const client = await TestClient.connect(gateway.url);
    client.send(messageFrame(canister, newKey(), 1n));
    expect((await client.closed).code).toBe(CloseCode.WrongMethod);
    expect(ic.relayed.length).toBe(before);
  });

  it('closes a ws_open naming another gateway with 4011', async () => {
    const client = await TestClient.connect(gateway.url);
    client.send(openFrame(canister, newKey(), testPrincipal(77)));
    expect((await client.closed).code).toBe(CloseCode.WrongGatewayPrincipal);
  });

  it('survives a client that closes before sending anything, and one that drops the TCP connection', async () => {
    const client = await TestClient.connect(gateway.url);
    client.ws.close(1000);
    expect((await client.closed).code).toBe(1000);
    const rude = await TestClient.connect(gateway.url);
    rude.ws.terminate();
    await rude.closed;
    await openClient();
  });

  it('closes an oversize frame with 1009 and calls ws_close for the open session', async () => {
    const { client, key } = await openClient();
    client.send(new Uint8Array(64 * 1024 + 1));
    expect((await client.closed).code).toBe(CloseCode.MessageTooBig);
    await ic.closedFor(key);
  });

  it('closes ws_message for another canister (4003) or sender (4004), calling ws_close', async () => {
    const a = await openClient();
    a.client.send(messageFrame(otherCanister, a.key, 1n));
    expect((await a.client.closed).code).toBe(CloseCode.WrongCanister);
    await ic.closedFor(a.key);
    const b = await openClient();
    b.client.send(messageFrame(canister, b.key, 1n, testPrincipal(99)));
    expect((await b.client.closed).code).toBe(CloseCode.WrongSender);
    await ic.closedFor(b.key);
  });

  it('refuses a second session with a client key in use (4010) and keeps the first', async () => {
    const first = await openClient();
    const intruder = await TestClient.connect(gateway.url);
    intruder.send(openFrame(canister, first.key, gatewayPrincipal));
    expect((await intruder.closed).code).toBe(CloseCode.ClientKeyInUse);
    ic.enqueue(canister, first.key, Uint8Array.of(0x22));
    await first.client.nextFrame();
    expect(ic.closed.some((c) => c.clientKeyId === clientKeyId(first.key))).toBe(false);
    first.client.ws.close();
  });

  it('takes 1 000 random and mutated frames without crashing; only the offending sessions close', async () => {
    const bystander = await openClient();
    let seed = 0x2545f491;
    const random = () => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 2 ** 32;
    };
    const template = messageFrame(canister, newKey(), 1n);
    const clients: TestClient[] = [];
    for (let c = 0; c < 50; c++) {
      const client = await TestClient.connect(gateway.url);
      clients.push(client);
      for (let f = 0; f < 20; f++) {
        let frame: Uint8Array;
        if (random() < 0.5) {
          frame = Uint8Array.from({ length: Math.floor(random() * 300) }, () => Math.floor(random() * 256));
        } else {
          frame = template.slice();
          for (let m = 0; m < 3; m++) frame[Math.floor(random() * frame.length)] = Math.floor(random() * 256);
        }
        client.send(random() < 0.1 ? new TextDecoder().decode(frame) : frame);
      }
    }
    const codes = await Promise.all(clients.map((c) => c.closed.then((x) => x.code)));
    expect(codes.every((code) => code >= 1000)).toBe(true);
    expect(codes.filter((code) => code === 1000 || code === 1005)).toEqual([]);
    // The bystander's session still works both ways.
    ic.enqueue(canister, bystander.key, Uint8Array.of(0x33));
    expect(decodeCanisterMessageFrame(await bystander.client.nextFrame()).content).toEqual(Uint8Array.of(0x33));
    const before = ic.relayed.length;
    bystander.client.send(messageFrame(canister, bystander.key, 1n));
    await ic.relayedAtLeast(before + 1);
    bystander.client.ws.close();
  });

  it('closes a client that never reads with 4007 while another client keeps receiving', async () => {
    const slow = await openClient();
    const fast = await openClient();
    slow.client.ws.pause();
    const before = await metric('ic_ws_gateway_session_closes_total', 'code="4007"');
    const big = new Uint8Array(512 * 1024).fill(0xab);
    for (let i = 0; i < 64; i++) {
      ic.enqueue(canister, slow.key, big);
      if (i % 8 === 0) ic.enqueue(canister, fast.key, Uint8Array.of(i));
    }
    for (let i = 0; i < 8; i++) expect(decodeCanisterMessageFrame(await fast.client.nextFrame()).content).toEqual(Uint8Array.of(i * 8));
    await ic.closedFor(slow.key);
    expect(await metric('ic_ws_gateway_session_closes_total', 'code="4007"')).toBe(before + 1);
    slow.client.ws.resume();
    expect((await slow.client.closed).code).toBe(CloseCode.OutboundBufferOverflow);
    fast.client.ws.close();
  });

  it('drops a peer that never answers pings: upgrade, handshake, a ping, then the gateway terminates it', async () => {
    const quiet = await startGateway({
      listen: '127.0.0.1:0',
      adminListen: '',
      identity,
      ic: new ScriptedIc(() => gatewayPrincipal),
      logger: pino({ level: 'silent' }),
      pingIntervalMs: 20,
    });
    const { port } = new URL(quiet.url);
    // A raw TCP peer that completes the upgrade and then ignores everything, pings included; it never
    // closes, so only the gateway can end the connection.
    const socket = connect(Number(port), '127.0.0.1');
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.write(
      'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    await new Promise((resolve) => socket.once('close', resolve));
    await quiet.close();

    const bytes = Buffer.concat(received);
    const headerEnd = bytes.indexOf('\r\n\r\n');
    expect(bytes.subarray(0, Math.max(0, headerEnd)).toString('latin1')).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/);
    const opcodes = serverFrameOpcodes(bytes.subarray(headerEnd + 4));
    // The gateway's handshake frame (binary), then pings only: no close frame, no message. The peer was
    // terminated by the heartbeat after a ping went unanswered for a ping interval, not closed by a session.
    expect(opcodes[0]).toBe(OPCODE_BINARY);
    expect(opcodes.slice(1).length).toBeGreaterThanOrEqual(1);
    expect(opcodes.slice(1).every((opcode) => opcode === OPCODE_PING)).toBe(true);
    // A gateway that never drops the peer fails here instead of hanging: the whole exchange takes ~40 ms.
  }, 10_000);

  it('serves /metrics, /healthz and /readyz on the admin server', async () => {
    const base = (await fetchText(`${adminUrl()}/healthz`)).status;
    expect(base).toBe(200);
    const ready = await fetchText(`${adminUrl()}/readyz`);
    expect(ready.status).toBe(200);
    const metrics = await fetchText(`${adminUrl()}/metrics`);
    expect(metrics.text).toContain('ic_ws_gateway_connections ');
    expect(metrics.text).toContain('ic_ws_gateway_relayed_calls_total{method="ws_open",outcome="ok"}');
    expect(metrics.text).toContain('ic_ws_gateway_poll_duration_seconds_bucket');
    expect(metrics.text).toMatch(/ic_ws_gateway_errors_total\{code="CLIENT_FRAME_INVALID"\} [1-9]/);
    expect(metrics.text).toMatch(/ic_ws_gateway_session_closes_total\{code="4000"\} [1-9]/);
    expect((await fetchText(`${adminUrl()}/nope`)).status).toBe(404);
  });
});

const OPCODE_BINARY = 0x2;
const OPCODE_PING = 0x9;

/** The opcodes of the complete, unmasked frames a server sent (RFC 6455 section 5.2), in order. */
function serverFrameOpcodes(bytes: Uint8Array): number[] {
  const opcodes: number[] = [];
  let at = 0;
  while (at + 2 <= bytes.length) {
    const lengthByte = (bytes[at + 1] as number) & 0x7f;
    let header = 2;
    let length = lengthByte;
    if (lengthByte === 126) {
      if (at + 4 > bytes.length) break;
      length = ((bytes[at + 2] as number) << 8) | (bytes[at + 3] as number);
      header = 4;
    } else if (lengthByte === 127) {
      if (at + 10 > bytes.length) break;
      length = Number(new DataView(bytes.buffer, bytes.byteOffset + at + 2, 8).getBigUint64(0));
      header = 10;
    }
    if (at + header + length > bytes.length) break;
    opcodes.push((bytes[at] as number) & 0x0f);
    at += header + length;
  }
  return opcodes;
}

function adminUrl(): string {
  return gateway.adminUrl!;
}

async function fetchText(url: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url);
  return { status: response.status, text: await response.text() };
}
