import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { CanisterWsOpenResultIdl, CloseCode, decodeHandshakeFrame, encodeHandshakeFrame, type ClientKey } from 'ic-ws-protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
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
const limits: SessionLimits = { maxPayload: 64 * 1024, openTimeoutMs: 1000, maxPendingEnvelopes: 4, maxBufferedBytes: 1024, maxQueuedFrames: 3 };

function setup(overrides: Partial<SessionLimits> = {}, socket = new FakeSessionSocket()) {
  const ic = new FakeGatewayIc();
  const router = new RecordingRouter();
  const transitions: string[] = [];
  const observer: SessionObserver = {
    ...NOOP_SESSION_OBSERVER,
    stateChanged: (from, to: SessionState) => transitions.push(`${from}->${to.kind}`),
  };
  const originalRelay = ic.relayCall.bind(ic);
  ic.relayCall = (id, envelope, options) => {
    router.log.push('relay');
    return originalRelay(id, envelope, options);
  };
  const session = new Session({
    socket,
    gatewayPrincipal: gateway,
    handshakeFrame: encodeHandshakeFrame({ gateway_principal: gateway }),
    ic,
    router,
    limits: { ...limits, ...overrides },
    observer,
  });
  session.start();
  return { session, socket, ic, router, transitions };
}

async function openSession(overrides: Partial<SessionLimits> = {}) {
  const ctx = setup(overrides);
  ctx.session.handleFrame(openFrame(canister, clientKey, gateway), true);
  ctx.ic.relays[0]!.answer.resolve();
  await flushMicrotasks();
  ctx.session.deliver(Uint8Array.of(1));
  return ctx;
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('Session lifecycle', () => {
  it('sends the handshake first and waits for ws_open', () => {
    const { session, socket } = setup();
    expect(session.state.kind).toBe('awaiting_open');
    expect(decodeHandshakeFrame(socket.sent[0]!).gateway_principal.toText()).toBe(gateway.toText());
  });

  it('registers the session before relaying ws_open, then opens on the first canister message', async () => {
    const { session, socket, ic, router, transitions } = setup();
    session.handleFrame(openFrame(canister, clientKey, gateway), true);
    expect(router.log).toEqual([`register ${clientKeyId(clientKey)}`, 'relay']);
    expect(session.state.kind).toBe('opening');
    expect(session.awaitingFirstMessage).toBe(false);
    ic.relays[0]!.answer.resolve();
    await flushMicrotasks();
    expect(session.awaitingFirstMessage).toBe(true);
    session.deliver(Uint8Array.of(9, 9));
    expect(session.state.kind).toBe('open');
    expect(socket.sent.at(-1)).toEqual(Uint8Array.of(9, 9));
    expect(transitions).toEqual(['awaiting_open->opening', 'opening->open']);
  });

  it('relays the envelope bytes, tagged, to the envelope canister', () => {
    const { session, ic } = setup();
    session.handleFrame(openFrame(canister, clientKey, gateway), true);
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
    ic.relays[0]!.answer.resolve();
    vi.advanceTimersByTime(limits.openTimeoutMs);
    await flushMicrotasks();
    expect(socket.closes[0]?.code).toBe(CloseCode.OpenTimeout);
    expect(ic.closes).toHaveLength(1);
  });

  it('waits for the in-flight ws_open relay before calling ws_close', async () => {
    const { session, ic } = setup();
    session.handleFrame(openFrame(canister, clientKey, gateway), true);
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

  it('refuses a client key another session holds, leaving that session registered', () => {
    const first = setup();
    const second = new Session({
      socket: new FakeSessionSocket(),
      gatewayPrincipal: gateway,
      handshakeFrame: Uint8Array.of(0),
      ic: first.ic,
      router: first.router,
      limits,
      observer: NOOP_SESSION_OBSERVER,
    });
    first.session.handleFrame(openFrame(canister, clientKey, gateway), true);
    second.handleFrame(openFrame(canister, clientKey, gateway), true);
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
    ic.relays[0]!.answer.reject(new Error('403 forbidden'));
    await flushMicrotasks();
    expect(socket.closes.map((c) => c.code)).toEqual([CloseCode.RelayFailed]);
    expect(ic.relays).toHaveLength(1);
    expect(ic.closes).toHaveLength(1);
  });

  it('asks for the ws_open reply, closes at once when the canister answers Err, and stays opening on Ok', async () => {
    const rejected = setup();
    rejected.session.handleFrame(openFrame(canister, clientKey, gateway), true);
    expect(rejected.ic.relays[0]!.readReply).toBe(true);
    rejected.ic.relays[0]!.answer.resolve({ status: 'replied', reply: new Uint8Array(IDL.encode([CanisterWsOpenResultIdl], [{ Err: 'client key in use' }])) });
    await flushMicrotasks();
    expect(rejected.socket.closes).toEqual([{ code: CloseCode.RelayFailed, reason: expect.stringContaining('client key in use') }]);
    const accepted = setup();
    accepted.session.handleFrame(openFrame(canister, clientKey, gateway), true);
    accepted.ic.relays[0]!.answer.resolve({ status: 'replied', reply: new Uint8Array(IDL.encode([CanisterWsOpenResultIdl], [{ Ok: null }])) });
    await flushMicrotasks();
    expect(accepted.session.awaitingFirstMessage).toBe(true);
    accepted.session.handleFrame(messageFrame(canister, clientKey, 1n), true);
    expect(accepted.ic.relays[1]!.readReply).toBe(false);
  });

  it('closes with TooManyPendingRequests when the client floods envelopes', async () => {
    const { session, socket } = await openSession({ maxPendingEnvelopes: 2 });
    for (let n = 1n; n <= 4n; n++) session.handleFrame(messageFrame(canister, clientKey, n), true);
    expect(socket.closes.map((c) => c.code)).toEqual([CloseCode.TooManyPendingRequests]);
  });
});

describe('Session outbound buffer', () => {
  it('queues frames behind an unread socket and closes the session when the queue overflows', async () => {
    const socket = new FakeSessionSocket(false);
    const ctx = setup({ maxBufferedBytes: 10, maxQueuedFrames: 2 }, socket);
    ctx.session.handleFrame(openFrame(canister, clientKey, gateway), true);
    ctx.ic.relays[0]!.answer.resolve();
    await flushMicrotasks();
    // The handshake is unflushed, so every canister frame waits.
    ctx.session.deliver(new Uint8Array(8));
    ctx.session.deliver(new Uint8Array(8));
    expect(socket.sent).toHaveLength(1);
    ctx.session.deliver(new Uint8Array(8));
    expect(socket.closes.map((c) => c.code)).toEqual([CloseCode.OutboundBufferOverflow]);
  });

  it('sends queued frames once the socket flushes', async () => {
    const socket = new FakeSessionSocket(false);
    const ctx = setup({ maxBufferedBytes: 10, maxQueuedFrames: 5 }, socket);
    ctx.session.handleFrame(openFrame(canister, clientKey, gateway), true);
    ctx.ic.relays[0]!.answer.resolve();
    await flushMicrotasks();
    for (let i = 0; i < 3; i++) ctx.session.deliver(Uint8Array.of(i, i, i, i, i, i));
    expect(socket.sent).toHaveLength(1);
    socket.flush(1);
    expect(socket.sent).toHaveLength(2);
    socket.flush();
    socket.flush();
    expect(socket.sent.slice(1)).toEqual([0, 1, 2].map((i) => Uint8Array.of(i, i, i, i, i, i)));
    expect(socket.closes).toEqual([]);
  });
});
