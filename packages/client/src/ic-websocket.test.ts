import { Cbor, HttpAgent } from '@dfinity/agent';
import { IDL } from '@dfinity/candid';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { Principal } from '@dfinity/principal';
import { CloseCode, ErrorCode, retryAfterReason } from 'ic-ws-protocol';
import { WebSocket as NodeWebSocket } from 'ws';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { nextEvent } from '../tests/support/async-queue';
import { createTestSubnet, type TestSubnet } from '../tests/support/fake-canister';
import { FakeGateway, type FakeGatewayOptions } from '../tests/support/fake-gateway';
import { ManualTimers } from '../tests/support/manual-timers';
import type { IcWsCloseEvent, IcWsErrorEvent, IcWsMessageEvent, IcWsOpenEvent, IcWsStateChangeEvent } from './events';
import { IcWebSocket } from './ic-websocket';
import type { IcWebSocketOptions } from './ic-websocket-options';
import type { WebSocketLike } from './socket/web-socket-like';

const canisterId = Principal.fromText('bkyz2-fmaaa-aaaaa-qaaaq-cai');
const identity = Ed25519KeyIdentity.generate();
const Chat = IDL.Text;

let subnet: TestSubnet;
let otherSubnet: TestSubnet;
beforeAll(() => {
  subnet = createTestSubnet();
  otherSubnet = createTestSubnet();
});

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function gateway(options: Partial<FakeGatewayOptions> = {}): Promise<FakeGateway> {
  const started = await FakeGateway.start({ subnet, canisterId, appIdl: Chat, ...options });
  cleanups.push(() => started.stop());
  return started;
}

function client(gatewayUrl: string | string[], options: Partial<IcWebSocketOptions<string>> = {}) {
  const timers = new ManualTimers();
  const ws = new IcWebSocket<string>({
    gatewayUrl,
    canisterId,
    identity,
    appMessageIdl: Chat,
    rootKey: subnet.rootKey,
    timers,
    reconnect: false,
    ...options,
  });
  cleanups.push(() => ws.close());
  return { ws, timers };
}

/** Opens a client through `gw`: handshake, ws_open, certified OpenMessage. */
async function opened(gw: FakeGateway, options: Partial<IcWebSocketOptions<string>> = {}) {
  const { ws, timers } = client(gw.url, options);
  const session = await gw.sessions.next();
  const openEvent = nextEvent<IcWsOpenEvent>(ws, 'open');
  await session.open();
  return { ws, timers, session, openEvent: await openEvent };
}

describe('IcWebSocket with a fake gateway', () => {
  it('opens only after the verified OpenMessage, then exchanges messages both ways', async () => {
    const gw = await gateway();
    const { ws } = client(gw.url);
    const session = await gw.sessions.next();
    const open = await session.calls.next();
    expect(open.method).toBe('ws_open');
    expect(open.open?.gateway_principal.toText()).toBe(gw.principal.toText());
    expect(open.envelope.content.sender.toText()).toBe(identity.getPrincipal().toText());
    expect(open.envelope.content.canister_id.toText()).toBe(canisterId.toText());
    expect(ws.readyState).toBe(IcWebSocket.CONNECTING);

    const openEvent = nextEvent<IcWsOpenEvent>(ws, 'open');
    session.sendService({ OpenMessage: { client_key: session.clientKey! } });
    const event = await openEvent;
    expect(ws.readyState).toBe(IcWebSocket.OPEN);
    expect(event.clientKey.client_nonce).toBe(open.open!.client_nonce);
    expect(event.reconnected).toBe(false);

    ws.send('hello canister');
    const sent = await session.nextMessage();
    expect(sent).toMatchObject({ sequence_num: 1n, is_service_message: false });
    expect(IDL.decode([Chat], sent.content)).toEqual(['hello canister']);

    const received: string[] = [];
    ws.onmessage = (e) => received.push(e.data);
    const third = new Promise<IcWsMessageEvent<string>>((resolve) =>
      ws.addEventListener('message', (e) => e.sequenceNum === 4n && resolve(e)),
    );
    session.sendApp(['one', 'two', 'three']);
    expect((await third).data).toBe('three');
    expect(received).toEqual(['one', 'two', 'three']);
  });

  it('queues messages sent while connecting and sends them in order once open', async () => {
    const gw = await gateway();
    const { ws } = client(gw.url);
    ws.send('a');
    ws.send('b');
    expect(ws.queuedCount).toBe(2);
    const session = await gw.sessions.next();
    await session.open();
    const first = await session.nextMessage();
    const second = await session.nextMessage();
    expect([first.sequence_num, second.sequence_num]).toEqual([1n, 2n]);
    expect([IDL.decode([Chat], first.content)[0], IDL.decode([Chat], second.content)[0]]).toEqual(['a', 'b']);
    expect(ws.queuedCount).toBe(0);
  });

  it('bounds the outgoing queue', async () => {
    const gw = await gateway();
    const { ws } = client(gw.url, { maxQueuedMessages: 2 });
    ws.send('a');
    ws.send('b');
    expect(() => ws.send('c')).toThrow(expect.objectContaining({ code: ErrorCode.OutgoingQueueFull }));
  });

  it('rejects a message that does not match the app type, and sends after close', async () => {
    const gw = await gateway();
    const { ws } = client(gw.url);
    expect(() => ws.send(42 as unknown as string)).toThrow(expect.objectContaining({ code: ErrorCode.CandidEncode }));
    ws.close();
    expect(() => ws.send('late')).toThrow(expect.objectContaining({ code: ErrorCode.NotOpen }));
  });

  it('answers an ack with a keep-alive carrying the last incoming sequence number', async () => {
    const gw = await gateway();
    const { ws, session } = await opened(gw);
    ws.send('x');
    await session.nextMessage();
    session.sendService({ AckMessage: { last_incoming_sequence_num: 1n } });
    const keepAlive = await session.nextMessage();
    expect(keepAlive.is_service_message).toBe(true);
    expect(keepAlive.sequence_num).toBe(2n);
    // OpenMessage is 1, the ack is 2.
    expect(keepAlive.service).toEqual({ KeepAliveMessage: { last_incoming_sequence_num: 2n } });
  });

  it('closes itself with ACK_TIMEOUT when no ack comes within interval + margin', async () => {
    const gw = await gateway();
    const { ws, timers, session } = await opened(gw, { ackIntervalMs: 100_000, ackMarginMs: 5_000 });
    const closeEvent = nextEvent<IcWsCloseEvent>(ws, 'close');
    timers.advance(104_999);
    expect(ws.readyState).toBe(IcWebSocket.OPEN);
    timers.advance(1);
    const event = await closeEvent;
    expect(event.code).toBe(CloseCode.AckTimeout);
    expect(event.error?.code).toBe(ErrorCode.AckTimeout);
    expect((await session.closed).code).toBe(CloseCode.AckTimeout);
  });

  it('closes itself when an ack acknowledges more than it sent', async () => {
    const gw = await gateway();
    const { ws, session } = await opened(gw);
    const closeEvent = nextEvent<IcWsCloseEvent>(ws, 'close');
    session.sendService({ AckMessage: { last_incoming_sequence_num: 3n } });
    expect((await closeEvent).code).toBe(CloseCode.AckAboveSent);
    expect((await session.closed).code).toBe(CloseCode.AckAboveSent);
  });

  it('never delivers a tampered message and closes with its code', async () => {
    const gw = await gateway();
    const { ws, session } = await opened(gw);
    const received: string[] = [];
    ws.onmessage = (e) => received.push(e.data);
    const errors: IcWsErrorEvent[] = [];
    ws.onerror = (e) => errors.push(e);
    const [frame] = session.certifyApp(['pay alice 10']);
    const content = frame!.content.slice();
    content[content.length - 2]! ^= 0x04;
    const closeEvent = nextEvent<IcWsCloseEvent>(ws, 'close');
    session.sendFrames([{ ...frame!, content }]);
    const event = await closeEvent;
    expect(event.code).toBe(CloseCode.WitnessInvalid);
    expect(event.wasClean).toBe(false);
    expect(errors.map((e) => e.error.code)).toEqual([ErrorCode.WitnessInvalid]);
    expect(received).toEqual([]);
    expect((await session.closed).code).toBe(CloseCode.WitnessInvalid);
  });

  it('does not open on an OpenMessage certified by another root key', async () => {
    const gw = await gateway();
    const { ws } = client(gw.url);
    let openFired = false;
    ws.onopen = () => (openFired = true);
    const session = await gw.sessions.next();
    await session.calls.next();
    const closeEvent = nextEvent<IcWsCloseEvent>(ws, 'close');
    session.sendService({ OpenMessage: { client_key: session.clientKey! } }, { subnet: otherSubnet });
    expect((await closeEvent).code).toBe(CloseCode.CertificateInvalid);
    expect(openFired).toBe(false);
  });

  it('reports the canister closing the connection and does not reconnect after ClosedByApplication', async () => {
    const gw = await gateway();
    const { ws, timers, session } = await opened(gw, { reconnect: true });
    const closeEvent = nextEvent<IcWsCloseEvent>(ws, 'close');
    session.sendService({ CloseMessage: { reason: { ClosedByApplication: null } } });
    const event = await closeEvent;
    expect(event.code).toBe(CloseCode.CanisterClosedByApplication);
    expect(event.wasClean).toBe(true);
    expect(event.error?.code).toBe(ErrorCode.ClosedByCanister);
    expect(ws.state).toBe('closed');
    expect(timers.pendingDelays()).toEqual([]);
  });

  it('fails with INVALID_HANDSHAKE on a junk first frame', async () => {
    const gw = await gateway({ handshake: 'junk' });
    const { ws } = client(gw.url);
    const event = await nextEvent<IcWsCloseEvent>(ws, 'close');
    expect(event.code).toBe(CloseCode.InvalidHandshake);
    expect(event.error?.code).toBe(ErrorCode.HandshakeInvalid);
  });

  it('gives up waiting for the OpenMessage after openTimeoutMs', async () => {
    const gw = await gateway({ handshake: 'none' });
    const { ws, timers } = client(gw.url, { openTimeoutMs: 10_000 });
    await gw.sessions.next();
    const closeEvent = nextEvent<IcWsCloseEvent>(ws, 'close');
    timers.advance(10_000);
    expect((await closeEvent).code).toBe(CloseCode.ClientOpenTimeout);
  });

  it('reconnects to the next gateway with a new session, and delivers what was queued meanwhile', async () => {
    const first = await gateway();
    const second = await gateway();
    const { ws, timers } = client([first.url, second.url], { reconnect: true });
    const firstSession = await first.sessions.next();
    await firstSession.open();
    await nextEvent(ws, 'open');
    const oldNonce = ws.clientKey!.client_nonce;

    const states: IcWsStateChangeEvent[] = [];
    ws.onstatechange = (e) => states.push(e);
    const reconnecting = nextEvent<IcWsStateChangeEvent>(ws, 'statechange');
    firstSession.socket.close(4005, 'relay failed');
    const change = await reconnecting;
    expect(change.state).toBe('reconnecting');
    expect(change.error?.code).toBe(ErrorCode.ConnectionLost);
    expect(change.reconnect).toMatchObject({ attempt: 1, gatewayUrl: second.url });
    expect(ws.readyState).toBe(IcWebSocket.CONNECTING);
    ws.send('while away');

    timers.advance(change.reconnect!.delayMs);
    const secondSession = await second.sessions.next();
    const reopened = nextEvent<IcWsOpenEvent>(ws, 'open');
    await secondSession.open();
    const event = await reopened;
    expect(event.reconnected).toBe(true);
    expect(event.gatewayUrl).toBe(second.url);
    expect(event.clientKey.client_nonce).not.toBe(oldNonce);
    const queued = await secondSession.nextMessage();
    expect(queued.sequence_num).toBe(1n);
    expect(IDL.decode([Chat], queued.content)).toEqual(['while away']);
    expect(states.map((s) => s.state)).toEqual(['reconnecting', 'open']);
  });

  it('waits at least the retry hint of a gateway that refused it for overload (1013)', async () => {
    const gw = await gateway();
    const { ws, timers } = client(gw.url, { reconnect: true, reconnectMaxAttempts: 1 });
    for (let refusal = 1; refusal <= 2; refusal++) {
      const session = await gw.sessions.next();
      const reconnecting = nextEvent<IcWsStateChangeEvent>(ws, 'statechange');
      session.socket.close(CloseCode.TryAgainLater, retryAfterReason(7_000));
      const change = await reconnecting;
      expect(change.state).toBe('reconnecting');
      expect(change.error?.closeCode).toBe(CloseCode.TryAgainLater);
      // The hint plus up to half of it again (jitter), far above the 500 ms backoff; not a failed attempt.
      expect(change.reconnect).toMatchObject({ attempt: 1, retryAfterMs: 7_000 });
      expect(change.reconnect!.delayMs).toBeGreaterThanOrEqual(7_000);
      expect(change.reconnect!.delayMs).toBeLessThanOrEqual(10_500);
      timers.advance(change.reconnect!.delayMs - 1);
      expect(timers.pendingDelays()).toHaveLength(1);
      timers.advance(1);
    }
    const session = await gw.sessions.next();
    const reopened = nextEvent<IcWsOpenEvent>(ws, 'open');
    await session.open();
    expect((await reopened).reconnected).toBe(false);
  });

  it("reports the gateway's own close code when a send races its close, not an internal error", async () => {
    // A socket whose close event waits until the test lets it through: the app sends in between.
    const heldCloses: (() => void)[] = [];
    class HeldCloseSocket implements WebSocketLike {
      readonly #ws: NodeWebSocket;
      onopen: WebSocketLike['onopen'] = null;
      onmessage: WebSocketLike['onmessage'] = null;
      onclose: WebSocketLike['onclose'] = null;
      onerror: WebSocketLike['onerror'] = null;
      constructor(url: string) {
        this.#ws = new NodeWebSocket(url);
        this.#ws.onopen = (event) => this.onopen?.(event);
        this.#ws.onmessage = (event) => this.onmessage?.(event);
        this.#ws.onerror = (event) => this.onerror?.(event);
        this.#ws.onclose = (event) => heldCloses.push(() => this.onclose?.(event));
      }
      get binaryType(): string {
        return this.#ws.binaryType;
      }
      set binaryType(type: string) {
        this.#ws.binaryType = type as NodeWebSocket['binaryType'];
      }
      get readyState(): number {
        return this.#ws.readyState;
      }
      send(data: Uint8Array): void {
        this.#ws.send(data);
      }
      close(code?: number, reason?: string): void {
        this.#ws.close(code, reason);
      }
    }
    const gw = await gateway();
    const { ws, session } = await opened(gw, { WebSocket: HeldCloseSocket });
    const closeEvent = nextEvent<IcWsCloseEvent>(ws, 'close');
    session.socket.close(CloseCode.GoingAway, 'going away');
    await expect.poll(() => heldCloses.length).toBe(1);
    ws.send('racing the close');
    await new Promise((resolve) => setTimeout(resolve, 20));
    heldCloses[0]!();
    const event = await closeEvent;
    expect(event.code).toBe(CloseCode.GoingAway);
    expect(event.error?.code).toBe(ErrorCode.ConnectionLost);
  });

  it('stops reconnecting on close()', async () => {
    const gw = await gateway();
    const { ws, timers } = client(gw.url, { reconnect: true });
    const session = await gw.sessions.next();
    const reconnecting = nextEvent<IcWsStateChangeEvent>(ws, 'statechange');
    session.socket.close(4005);
    await reconnecting;
    expect(timers.pendingDelays()).toHaveLength(1);
    const closeEvent = nextEvent<IcWsCloseEvent>(ws, 'close');
    ws.close();
    const event = await closeEvent;
    expect(event.code).toBe(CloseCode.Normal);
    expect(event.wasClean).toBe(true);
    expect(timers.pendingDelays()).toEqual([]);
    expect(ws.readyState).toBe(IcWebSocket.CLOSED);
  });

  it('gives up with RECONNECT_EXHAUSTED after reconnectMaxAttempts failures in a row', async () => {
    const gw = await gateway();
    const deadUrl = gw.url;
    await gw.stop();
    const { ws, timers } = client(deadUrl, { reconnect: true, reconnectMaxAttempts: 2 });
    const closeEvent = nextEvent<IcWsCloseEvent>(ws, 'close');
    for (let attempt = 1; attempt <= 2; attempt++) {
      const change = await nextEvent<IcWsStateChangeEvent>(ws, 'statechange');
      expect(change.reconnect?.attempt).toBe(attempt);
      timers.advance(change.reconnect!.delayMs);
    }
    const event = await closeEvent;
    expect(event.code).toBe(CloseCode.ReconnectExhausted);
    expect(event.error?.code).toBe(ErrorCode.ReconnectExhausted);
  });

  it('iterates over messages until the connection closes', async () => {
    const gw = await gateway();
    const { ws, session } = await opened(gw);
    const iterator = ws[Symbol.asyncIterator]();
    session.sendApp(['a', 'b']);
    expect(await iterator.next()).toEqual({ value: 'a', done: false });
    expect(await iterator.next()).toEqual({ value: 'b', done: false });
    const pending = iterator.next();
    ws.close();
    expect(await pending).toEqual({ value: undefined, done: true });
  });

  it('makes a failed iteration throw the connection error', async () => {
    const gw = await gateway();
    const { ws, session } = await opened(gw);
    const collected: string[] = [];
    const run = (async () => {
      for await (const message of ws) collected.push(message);
    })();
    session.sendApp(['a']);
    session.sendService({ AckMessage: { last_incoming_sequence_num: 7n } });
    await expect(run).rejects.toMatchObject({ code: ErrorCode.AckAboveSent });
    expect(collected).toEqual(['a']);
  });

  it('fetches the root key from a loopback network before processing any message', async () => {
    const gw = await gateway();
    const requested: string[] = [];
    const fakeFetch = (async (input: RequestInfo | URL) => {
      requested.push(String(input));
      return new Response(Cbor.encode({ root_key: subnet.rootKey }).slice().buffer as ArrayBuffer, { status: 200 });
    }) as typeof fetch;
    const { ws } = client(gw.url, { rootKey: undefined, networkUrl: 'http://127.0.0.1:4943', fetch: fakeFetch });
    const session = await gw.sessions.next();
    const openEvent = nextEvent(ws, 'open');
    await session.open();
    await openEvent;
    expect(requested).toEqual(['http://127.0.0.1:4943/api/v2/status']);
  });

  it('closes with ROOT_KEY_UNAVAILABLE when the root key cannot be fetched', async () => {
    const gw = await gateway();
    const failingFetch = (() => Promise.reject(new TypeError('connection refused'))) as typeof fetch;
    const agent = HttpAgent.createSync({ host: 'http://127.0.0.1:4943', fetch: failingFetch, retryTimes: 0 });
    const { ws } = client(gw.url, { rootKey: undefined, agent });
    const event = await nextEvent<IcWsCloseEvent>(ws, 'close');
    expect(event.code).toBe(CloseCode.RootKeyUnavailable);
    expect(event.error?.code).toBe(ErrorCode.RootKeyUnavailable);
  });
});
