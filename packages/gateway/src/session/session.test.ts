import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { CanisterWsOpenResultIdl, CloseCode, ErrorCode, decodeHandshakeFrame, encodeHandshakeFrame, type ClientKey } from 'ic-ws-protocol';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ByteBudget } from '../flow/byte-budget';
import { InboundPool } from '../flow/inbound-pool';
import { GatewayError } from '../gateway-error';
import { OpenKeysJournal } from '../keys/open-keys-journal';
import { WsCloser } from '../keys/ws-closer';
import { FakeGatewayIc } from '../testing/fake-gateway-ic';
import { FakeSessionSocket } from '../testing/fake-session-socket';
import { messageFrame, openFrame, requestFrame, testCanisterId, testPrincipal } from '../testing/client-frames';
import { flushMicrotasks } from '../testing/deferred';
import { RecordingRouter } from '../testing/recording-router';
import { Session, type SessionLimits } from './session';
import { clientKeyId } from './session-state';
import { NOOP_SESSION_OBSERVER, type SessionObserver } from './session-ports';
import type { SessionState } from './session-state';

const gateway = testPrincipal(1);
const otherGateway = testPrincipal(2);
const canister = testCanisterId(1);
const otherCanister = testCanisterId(2);
const clientKey: ClientKey = { client_principal: testPrincipal(3), client_nonce: 42n };
const limits: SessionLimits = {
  maxPayload: 64 * 1024,
  openTimeoutMs: 1000,
  maxPendingEnvelopes: 4,
  maxPendingBytesPerSession: 64 * 1024,
  maxOutboundBytesPerSession: 1024,
  relayRetryBackoff: { initialMs: 100, maxMs: 1000 },
};
const { journal } = await OpenKeysJournal.load(null, pino({ level: 'silent' }));

interface Pools {
  inbound: InboundPool;
  outbound: ByteBudget;
}

function newPools(inbound = 1 << 30, outbound = 1 << 30): Pools {
  return { inbound: new InboundPool(inbound), outbound: new ByteBudget(outbound) };
}

function setup(overrides: Partial<SessionLimits> = {}, socket = new FakeSessionSocket(), pools = newPools()) {
  const ic = new FakeGatewayIc();
  const router = new RecordingRouter();
  const transitions: string[] = [];
  const retries: string[] = [];
  const observer: SessionObserver = {
    ...NOOP_SESSION_OBSERVER,
    stateChanged: (from, to: SessionState) => transitions.push(`${from}->${to.kind}`),
    relayRetried: (method, _error, delayMs) => retries.push(`${method} ${delayMs}`),
  };
  const originalRelay = ic.relayCall.bind(ic);
  ic.relayCall = (id, envelope, options) => {
    router.log.push('relay');
    return originalRelay(id, envelope, options);
  };
  const openKeys = new WsCloser({
    ic,
    journal,
    backoff: { initialMs: 100, maxMs: 1000 },
    retryForMs: 10_000,
    observer: { wsClosed: () => {}, wsCloseRetried: () => {} },
  });
  const deps = {
    gatewayPrincipal: gateway,
    handshakeFrame: encodeHandshakeFrame({ gateway_principal: gateway }),
    ic,
    router,
    openKeys,
    limits: { ...limits, ...overrides },
    pools,
    observer,
  };
  const session = new Session(deps, socket);
  session.start();
  return { session, socket, ic, router, transitions, retries, pools, openKeys };
}

/** A session whose ws_open was relayed and answered, and whose OpenMessage was delivered. */
async function openSession(overrides: Partial<SessionLimits> = {}, socket?: FakeSessionSocket, pools?: Pools) {
  const ctx = setup(overrides, socket, pools);
  ctx.session.handleFrame(openFrame(canister, clientKey, gateway), true);
  await flushMicrotasks();
  ctx.ic.relays[0]!.answer.resolve();
  await flushMicrotasks();
  ctx.session.deliver([Uint8Array.of(1)]);
  return ctx;
}

const transientFailure = () => new GatewayError(ErrorCode.RelayFailed, 'IC answered HTTP 503', { transient: true });

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('Session lifecycle', () => {
  it('sends the handshake first and waits for ws_open', () => {
    const { session, socket } = setup();
    expect(session.state.kind).toBe('awaiting_open');
    expect(decodeHandshakeFrame(socket.sent[0]!).gateway_principal.toText()).toBe(gateway.toText());
  });

  it('registers the session, waits for its poller, then relays ws_open and opens on the first canister message', async () => {
    const { session, socket, ic, router, transitions } = setup();
    const release = router.holdReady();
    session.handleFrame(openFrame(canister, clientKey, gateway), true);
    await flushMicrotasks();
    expect(router.log).toEqual([`register ${clientKeyId(clientKey)}`, 'ready?']);
    release();
    await flushMicrotasks();
    expect(router.log).toEqual([`register ${clientKeyId(clientKey)}`, 'ready?', 'relay']);
    expect(session.state.kind).toBe('opening');
    expect(session.awaitingFirstMessage).toBe(false);
    ic.relays[0]!.answer.resolve();
    await flushMicrotasks();
    expect(session.awaitingFirstMessage).toBe(true);
    session.deliver([Uint8Array.of(9, 9)]);
    expect(session.state.kind).toBe('open');
    expect(socket.sent.at(-1)).toEqual(Uint8Array.of(9, 9));
    expect(transitions).toEqual(['awaiting_open->opening', 'opening->open']);
  });

  it('relays the envelope bytes, tagged, to the envelope canister', async () => {
    const { session, ic } = setup();
    session.handleFrame(openFrame(canister, clientKey, gateway), true);
    await flushMicrotasks();
    const relayed = ic.relays[0]!;
    expect(relayed.canisterId.toText()).toBe(canister.toText());
    expect(Array.from(relayed.envelope.subarray(0, 3))).toEqual([0xd9, 0xd9, 0xf7]);
  });

  it('calls ws_close exactly once when the client closes an open session', async () => {
    const { session, ic, socket, router } = await openSession();
    session.handleSocketClosed(1000);
    session.handleSocketClosed(1000);
    void session.close({ code: CloseCode.GoingAway, reason: 'again' });
    await flushMicrotasks();
    expect(ic.closes).toHaveLength(1);
    expect(ic.closes[0]!.clientKey).toEqual(clientKey);
    expect(socket.closes).toEqual([]);
    expect(router.sessions.size).toBe(0);
    expect(session.state).toMatchObject({ kind: 'closed', reason: { code: CloseCode.Normal } });
  });

  it('does not call ws_close for a session that never sent ws_open', async () => {
    const { session, ic } = setup();
    session.handleSocketClosed(1006);
    await flushMicrotasks();
    expect(ic.closes).toHaveLength(0);
  });

  it('closes with OpenTimeout when no canister message arrives in time, and calls ws_close', async () => {
    const { session, ic, socket } = setup();
    session.handleFrame(openFrame(canister, clientKey, gateway), true);
    await flushMicrotasks();
    ic.relays[0]!.answer.resolve();
    await flushMicrotasks();
    vi.advanceTimersByTime(limits.openTimeoutMs);
    await flushMicrotasks();
    expect(socket.closes[0]?.code).toBe(CloseCode.OpenTimeout);
    expect(ic.closes).toHaveLength(1);
  });

  it('does not time the open out while the IC is still answering its ws_open (the relay has its own bound)', async () => {
    const { session, ic, socket } = setup();
    session.handleFrame(openFrame(canister, clientKey, gateway), true);
    await flushMicrotasks();
    vi.advanceTimersByTime(limits.openTimeoutMs * 3);
    await flushMicrotasks();
    expect(socket.closes).toEqual([]);
    ic.relays[0]!.answer.resolve();
    await flushMicrotasks();
    vi.advanceTimersByTime(limits.openTimeoutMs - 1);
    expect(socket.closes).toEqual([]);
    vi.advanceTimersByTime(1);
    await flushMicrotasks();
    expect(socket.closes[0]?.code).toBe(CloseCode.OpenTimeout);
  });

  it('times out a client that never sends its ws_open', async () => {
    const { socket } = setup();
    vi.advanceTimersByTime(limits.openTimeoutMs);
    await flushMicrotasks();
    expect(socket.closes[0]?.code).toBe(CloseCode.OpenTimeout);
  });

  it('waits for the in-flight ws_open relay before calling ws_close', async () => {
    const { session, ic } = setup();
    session.handleFrame(openFrame(canister, clientKey, gateway), true);
    await flushMicrotasks();
    const ended = session.close({ code: CloseCode.GoingAway, reason: 'shutdown' });
    await flushMicrotasks();
    expect(ic.closes).toHaveLength(0);
    ic.relays[0]!.answer.resolve();
    await flushMicrotasks();
    expect(ic.closes).toHaveLength(1);
    ic.closes[0]!.answer.resolve();
    await expect(ended).resolves.toBeUndefined();
  });

  it('survives a failing ws_close', async () => {
    const { session, ic } = await openSession();
    const ended = session.close({ code: CloseCode.GoingAway, reason: 'x' });
    await flushMicrotasks();
    ic.closes[0]!.answer.reject(new Error('IC down'));
    await expect(ended).resolves.toBeUndefined();
  });
});

describe('Session frame validation', () => {
  const cases: [string, () => Uint8Array, boolean, number][] = [
    ['junk bytes', () => Uint8Array.of(0xff, 0x00, 0x13), true, CloseCode.InvalidFirstFrame],
    ['a text frame', () => new TextEncoder().encode('hello'), false, CloseCode.InvalidFirstFrame],
    ['a ws_message first', () => messageFrame(canister, clientKey, 1n), true, CloseCode.WrongMethod],
    ['ws_open for another gateway', () => openFrame(canister, clientKey, otherGateway), true, CloseCode.WrongGatewayPrincipal],
    [
      'ws_open with a junk argument',
      () => requestFrame({ canisterId: canister, sender: clientKey.client_principal, methodName: 'ws_open', arg: Uint8Array.of(1, 2) }),
      true,
      CloseCode.InvalidEnvelope,
    ],
    [
      'ws_open from the anonymous principal',
      () => openFrame(canister, { ...clientKey, client_principal: Principal.anonymous() }, gateway),
      true,
      CloseCode.WrongSender,
    ],
  ];
  for (const [name, frame, binary, code] of cases) {
    it(`closes on ${name} as first frame, without relaying or ws_close`, async () => {
      const { session, socket, ic, router } = setup();
      session.handleFrame(frame(), binary);
      await flushMicrotasks();
      expect(socket.closes).toHaveLength(1);
      expect(socket.closes[0]!.code).toBe(code);
      expect(new TextEncoder().encode(socket.closes[0]!.reason).length).toBeLessThanOrEqual(123);
      expect(ic.relays).toHaveLength(0);
      expect(ic.closes).toHaveLength(0);
      expect(router.sessions.size).toBe(0);
    });
  }

  const later: [string, () => Uint8Array, boolean, number][] = [
    ['junk bytes', () => Uint8Array.of(1), true, CloseCode.InvalidFrame],
    ['a text frame', () => new TextEncoder().encode('{}'), false, CloseCode.InvalidFrame],
    ['a second ws_open', () => openFrame(canister, clientKey, gateway), true, CloseCode.WrongMethod],
    ['a ws_message for another canister', () => messageFrame(otherCanister, clientKey, 1n), true, CloseCode.WrongCanister],
    ['a ws_message from another sender', () => messageFrame(canister, clientKey, 1n, testPrincipal(9)), true, CloseCode.WrongSender],
  ];
  for (const [name, frame, binary, code] of later) {
    it(`closes an open session on ${name} and calls ws_close`, async () => {
      const { session, socket, ic } = await openSession();
      session.handleFrame(frame(), binary);
      await flushMicrotasks();
      expect(socket.closes.map((c) => c.code)).toEqual([code]);
      expect(ic.relays).toHaveLength(1);
      expect(ic.closes).toHaveLength(1);
    });
  }

  it('refuses a client key another session holds, leaving that session registered', async () => {
    const first = setup();
    const second = new Session(
      {
        gatewayPrincipal: gateway,
        handshakeFrame: Uint8Array.of(0),
        ic: first.ic,
        router: first.router,
        openKeys: first.openKeys,
        limits,
        pools: first.pools,
        observer: NOOP_SESSION_OBSERVER,
      },
      new FakeSessionSocket(),
    );
    first.session.handleFrame(openFrame(canister, clientKey, gateway), true);
    second.handleFrame(openFrame(canister, clientKey, gateway), true);
    await flushMicrotasks();
    expect(second.state).toMatchObject({ kind: 'closed', reason: { code: CloseCode.ClientKeyInUse }, target: null });
    expect(first.router.sessions.get(clientKeyId(clientKey))).toBe(first.session);
    expect(first.ic.relays).toHaveLength(1);
  });
});

describe('Session relay ordering', () => {
  it('relays one envelope at a time, in arrival order', async () => {
    const { session, ic } = await openSession();
    const frames = [1n, 2n, 3n].map((n) => messageFrame(canister, clientKey, n));
    for (const frame of frames) session.handleFrame(frame, true);
    await flushMicrotasks();
    expect(ic.relays).toHaveLength(2);
    ic.relays[1]!.answer.resolve();
    await flushMicrotasks();
    expect(ic.relays).toHaveLength(3);
    ic.relays[2]!.answer.resolve();
    await flushMicrotasks();
    expect(ic.relays).toHaveLength(4);
    const tails = ic.relays.slice(1).map((r) => r.envelope);
    // The envelopes went out in order: each is the envelope of the matching frame.
    frames.forEach((frame, i) => expect(Buffer.from(frame).includes(Buffer.from(tails[i]!.subarray(3)))).toBe(true));
  });

  it('closes with RelayFailed when the IC rejects ws_open, and drops the envelopes queued behind it', async () => {
    const { session, ic, socket } = setup();
    session.handleFrame(openFrame(canister, clientKey, gateway), true);
    session.handleFrame(messageFrame(canister, clientKey, 1n), true);
    await flushMicrotasks();
    ic.relays[0]!.answer.reject(new GatewayError(ErrorCode.RelayRejected, 'IC answered HTTP 403'));
    await flushMicrotasks();
    expect(socket.closes.map((c) => c.code)).toEqual([CloseCode.RelayFailed]);
    expect(ic.relays).toHaveLength(1);
    expect(ic.closes).toHaveLength(1);
  });

  it('asks for the ws_open reply, closes at once when the canister answers Err, and stays opening on Ok', async () => {
    const rejected = setup();
    rejected.session.handleFrame(openFrame(canister, clientKey, gateway), true);
    await flushMicrotasks();
    expect(rejected.ic.relays[0]!.readReply).toBe(true);
    rejected.ic.relays[0]!.answer.resolve({ status: 'replied', reply: new Uint8Array(IDL.encode([CanisterWsOpenResultIdl], [{ Err: 'client key in use' }])) });
    await flushMicrotasks();
    expect(rejected.socket.closes).toEqual([{ code: CloseCode.RelayFailed, reason: expect.stringContaining('client key in use') }]);
    const accepted = setup();
    accepted.session.handleFrame(openFrame(canister, clientKey, gateway), true);
    await flushMicrotasks();
    accepted.ic.relays[0]!.answer.resolve({ status: 'replied', reply: new Uint8Array(IDL.encode([CanisterWsOpenResultIdl], [{ Ok: null }])) });
    await flushMicrotasks();
    expect(accepted.session.awaitingFirstMessage).toBe(true);
    accepted.session.handleFrame(messageFrame(canister, clientKey, 1n), true);
    await flushMicrotasks();
    expect(accepted.ic.relays[1]!.readReply).toBe(false);
  });

  it('tells the router each time a relay has run, so the canister is polled at once, and not when it failed', async () => {
    const { session, ic, router } = setup();
    session.handleFrame(openFrame(canister, clientKey, gateway), true);
    await flushMicrotasks();
    expect(router.relayedTo).toEqual([]);
    ic.relays[0]!.answer.resolve();
    await flushMicrotasks();
    expect(router.relayedTo).toEqual([canister.toText()]);
    session.deliver([Uint8Array.of(1)]);
    session.handleFrame(messageFrame(canister, clientKey, 1n), true);
    session.handleFrame(messageFrame(canister, clientKey, 2n), true);
    await flushMicrotasks();
    ic.relays[1]!.answer.resolve();
    await flushMicrotasks();
    expect(router.relayedTo).toEqual([canister.toText(), canister.toText()]);
    ic.relays[2]!.answer.reject(new GatewayError(ErrorCode.RelayRejected, 'IC answered HTTP 403'));
    await flushMicrotasks();
    expect(router.relayedTo).toHaveLength(2);
  });

});

describe('Session relay retries', () => {
  it('posts an envelope again after a transient failure, with backoff, keeping the order', async () => {
    const { session, ic, socket, retries } = await openSession();
    session.handleFrame(messageFrame(canister, clientKey, 1n), true);
    session.handleFrame(messageFrame(canister, clientKey, 2n), true);
    await flushMicrotasks();
    expect(ic.relays).toHaveLength(2);
    ic.relays[1]!.answer.reject(transientFailure());
    await flushMicrotasks();
    expect(retries).toHaveLength(1);
    // Nothing goes out during the pause, the second envelope least of all.
    expect(ic.relays).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(100);
    expect(ic.relays).toHaveLength(3);
    expect(ic.relays[2]!.envelope).toEqual(ic.relays[1]!.envelope);
    ic.relays[2]!.answer.resolve();
    await flushMicrotasks();
    expect(ic.relays).toHaveLength(4);
    expect(ic.relays[3]!.envelope).not.toEqual(ic.relays[1]!.envelope);
    expect(socket.closes).toEqual([]);
  });

  it('gives up at the ingress expiry and only then closes the session (4005)', async () => {
    const { session, ic, socket } = await openSession();
    const start = Date.now();
    // The frame's envelope expires 5 minutes from now.
    session.handleFrame(messageFrame(canister, clientKey, 1n), true);
    await flushMicrotasks();
    let failures = 0;
    for (let minute = 0; minute < 6 && socket.closes.length === 0; minute++) {
      for (const relay of ic.relays.slice(1 + failures)) {
        relay.answer.reject(transientFailure());
        failures += 1;
      }
      await vi.advanceTimersByTimeAsync(1_000);
      if (socket.closes.length === 0) await vi.advanceTimersByTimeAsync(59_000);
    }
    expect(failures).toBeGreaterThan(5);
    expect(socket.closes).toEqual([{ code: CloseCode.RelayFailed, reason: 'ws_message not relayed before its ingress expiry' }]);
    expect(Date.now() - start).toBeGreaterThanOrEqual(4 * 60_000);
    // (failures are answered once a minute here, so the close comes in the minute after the expiry at most)
    expect(Date.now() - start).toBeLessThanOrEqual(6 * 60_000);
  });

  it('does not retry a final failure, and stops retrying when the session ends', async () => {
    const final = await openSession();
    final.session.handleFrame(messageFrame(canister, clientKey, 1n), true);
    await flushMicrotasks();
    final.ic.relays[1]!.answer.reject(new GatewayError(ErrorCode.RelayRejected, 'IC answered HTTP 400'));
    await flushMicrotasks();
    expect(final.socket.closes.map((c) => c.code)).toEqual([CloseCode.RelayFailed]);

    const ended = await openSession();
    ended.session.handleFrame(messageFrame(canister, clientKey, 1n), true);
    await flushMicrotasks();
    ended.ic.relays[1]!.answer.reject(transientFailure());
    await flushMicrotasks();
    ended.session.handleSocketClosed(1001);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(ended.ic.relays).toHaveLength(2);
    expect(ended.ic.closes).toHaveLength(1);
  });
});

describe('Session inbound flow control', () => {
  it('stops reading the socket at maxPendingEnvelopes instead of closing, and reads again as relays finish', async () => {
    const { session, socket, ic } = await openSession({ maxPendingEnvelopes: 2 });
    for (let n = 1n; n <= 3n; n++) session.handleFrame(messageFrame(canister, clientKey, n), true);
    await flushMicrotasks();
    expect(socket.paused).toBe(true);
    expect(socket.closes).toEqual([]);
    ic.relays[1]!.answer.resolve();
    await flushMicrotasks();
    ic.relays[2]!.answer.resolve();
    await flushMicrotasks();
    expect(socket.paused).toBe(false);
    expect(ic.relays).toHaveLength(4);
  });

  it('counts the frame being received and pending envelopes against the session byte budget', async () => {
    const frame = messageFrame(canister, clientKey, 1n);
    // The envelope being posted counts three times (fetch's copy and the request's), the next frame once as it arrives.
    const budget = frame.length * 4 + 100;
    const { session, socket, ic } = await openSession({ maxPendingBytesPerSession: budget });
    session.handleBytesReceived(frame.length + 8);
    session.handleFrame(frame, true);
    await flushMicrotasks();
    expect(socket.paused).toBe(false);
    // A second envelope arrives in pieces: its bytes count before the frame is whole.
    session.handleBytesReceived(frame.length);
    expect(socket.paused).toBe(false);
    session.handleBytesReceived(200);
    expect(socket.paused).toBe(true);
    ic.relays[1]!.answer.resolve();
    await flushMicrotasks();
    expect(socket.paused).toBe(false);
  });

  it('stops every session from reading while the gateway-wide budget is used up, and wakes them when it frees', async () => {
    const pools = newPools(5_000);
    const a = await openSession({}, new FakeSessionSocket(), pools);
    const b = await openSession({}, new FakeSessionSocket(), pools);
    const frame = messageFrame(canister, clientKey, 1n);
    // a holds an envelope (pending), b has 4 KiB of a frame in progress: together past the limit.
    a.session.handleBytesReceived(frame.length + 8);
    a.session.handleFrame(frame, true);
    b.session.handleBytesReceived(5_000 - frame.length);
    expect(pools.inbound.blocked).toBe(true);
    expect(b.socket.paused).toBe(true);
    a.session.handleBytesReceived(1);
    expect(a.socket.paused).toBe(true);
    await flushMicrotasks();
    a.ic.relays[1]!.answer.resolve();
    await flushMicrotasks();
    expect(pools.inbound.blocked).toBe(false);
    expect([a.socket.paused, b.socket.paused]).toEqual([false, false]);
  });

  it('stops reading on drain, relays what it holds, and returns every byte to the pool when it ends', async () => {
    const pools = newPools();
    const { session, socket, ic } = await openSession({}, undefined, pools);
    session.handleFrame(messageFrame(canister, clientKey, 1n), true);
    let drained = false;
    void session.drain().then(() => (drained = true));
    await flushMicrotasks();
    expect(socket.paused).toBe(true);
    expect(drained).toBe(false);
    ic.relays[1]!.answer.resolve();
    await flushMicrotasks();
    expect(drained).toBe(true);
    session.handleBytesReceived(1_000);
    void session.close({ code: CloseCode.GoingAway, reason: 'drain' });
    // Reading again: the close handshake needs the peer's close frame.
    expect(socket.paused).toBe(false);
    expect(pools.inbound.pending).toBe(0);
    // What it dropped counts until the garbage collector has freed it.
    expect(pools.inbound.used).toBeGreaterThan(0);
    pools.inbound.collected('major');
    pools.inbound.collected('minor');
    expect(pools.inbound.used).toBe(0);
  });
});

describe('Session outbound buffer', () => {
  it('closes a session whose unflushed frames exceed its byte budget, returning them to the pool', async () => {
    const socket = new FakeSessionSocket(false);
    const pools = newPools();
    const ctx = await openSession({ maxOutboundBytesPerSession: 100 }, socket, pools);
    // The handshake and the OpenMessage are unflushed.
    const held = pools.outbound.used;
    ctx.session.deliver([new Uint8Array(8)]);
    expect(pools.outbound.used).toBe(held + 8);
    ctx.session.deliver([new Uint8Array(100 - 8 - held + 1)]);
    expect(socket.closes.map((c) => c.code)).toEqual([CloseCode.OutboundBufferOverflow]);
    expect(pools.outbound.used).toBe(0);
  });

  it('copies a frame that is a view into a larger buffer when the client is behind, so it pins only its own bytes', async () => {
    const socket = new FakeSessionSocket(false);
    const ctx = await openSession({}, socket);
    const batch = new Uint8Array(1_000);
    ctx.session.deliver([batch.subarray(0, 10)]);
    expect(socket.sent.at(-1)!.buffer).not.toBe(batch.buffer);
    expect(socket.sent.at(-1)).toEqual(batch.subarray(0, 10));
    socket.flush();
    // Caught up: the view goes out as it is (no copy on the usual path).
    ctx.session.deliver([batch.subarray(10, 20)]);
    expect(socket.sent.at(-1)!.buffer).toBe(batch.buffer);
  });

  it("writes a poll's frames in one write, counted until that write is flushed; copies all of them when behind", async () => {
    const socket = new FakeSessionSocket(false);
    const pools = newPools();
    const ctx = await openSession({}, socket, pools);
    socket.flush();
    expect(pools.outbound.used).toBe(0);
    const batch = new Uint8Array(1_000);
    const sentBefore = socket.sent.length;
    ctx.session.deliver([batch.subarray(0, 10), batch.subarray(10, 30), batch.subarray(30, 60)]);
    expect(socket.sent.length - sentBefore).toBe(3);
    // Not behind: the views go out as they are.
    expect(socket.sent.slice(sentBefore).every((frame) => frame.buffer === batch.buffer)).toBe(true);
    expect(pools.outbound.used).toBe(60);
    // Behind now: the next poll's frames are copies.
    ctx.session.deliver([batch.subarray(60, 70), batch.subarray(70, 75)]);
    expect(socket.sent.slice(-2).map((frame) => frame.buffer === batch.buffer)).toEqual([false, false]);
    expect(socket.sent.slice(-2)).toEqual([batch.subarray(60, 70), batch.subarray(70, 75)]);
    expect(pools.outbound.used).toBe(75);
    // One flush callback per write.
    socket.flush(1);
    expect(pools.outbound.used).toBe(15);
    socket.flush(1);
    expect(pools.outbound.used).toBe(0);
  });

  it('resolves whenFlushed once the socket has flushed every frame', async () => {
    const socket = new FakeSessionSocket(false);
    const ctx = await openSession({}, socket);
    for (let i = 0; i < 3; i++) ctx.session.deliver([Uint8Array.of(i)]);
    let flushed = false;
    void ctx.session.whenFlushed().then(() => (flushed = true));
    socket.flush(3);
    await flushMicrotasks();
    expect(flushed).toBe(false);
    socket.flush();
    await flushMicrotasks();
    expect(flushed).toBe(true);
    expect(socket.closes).toEqual([]);
  });
});
