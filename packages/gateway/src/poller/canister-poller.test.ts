import { ErrorCode, decodeCanisterMessageFrame, type ClientKey } from 'ic-ws-protocol';
import { GatewayError } from '../gateway-error';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { batchOf } from '../testing/batches';
import { testCanisterId, testPrincipal } from '../testing/client-frames';
import { flushMicrotasks } from '../testing/deferred';
import { FakeGatewayIc, emptyBatch } from '../testing/fake-gateway-ic';
import type { RoutedSession } from '../session/session-ports';
import { clientKeyId } from '../session/session-state';
import { CanisterPoller, IDLE_AFTER_MS, IDLE_POLL_GRID_MS, POSITION_PROBE_NONCE, type PollerTiming } from './canister-poller';
import type { PollerObserver, SkipReason } from './poller-observer';

const gateway = testPrincipal(1);
const canister = testCanisterId(7);
const alice: ClientKey = { client_principal: testPrincipal(10), client_nonce: 1n };
const bob: ClientKey = { client_principal: testPrincipal(11), client_nonce: 2n };
const stranger: ClientKey = { client_principal: testPrincipal(12), client_nonce: 3n };
const timing: PollerTiming = { intervalMs: 100, maxIdleIntervalMs: 100, timeoutMs: 1000, backoff: { initialMs: 200, maxMs: 1000 }, probeAfterEmptyPolls: 3 };

class RecordingSession implements RoutedSession {
  readonly frames: Uint8Array[] = [];
  awaitingFirstMessage = false;
  readonly deliveries: number[] = [];
  deliver(frames: readonly Uint8Array[]): void {
    this.frames.push(...frames);
    this.deliveries.push(frames.length);
    this.awaitingFirstMessage = false;
  }
  get keys(): string[] {
    return this.frames.map((f) => decodeCanisterMessageFrame(f).key);
  }
}

let room: Promise<void> | null = null;

function setup(timingOverrides: Partial<PollerTiming> = {}) {
  room = null;
  const ic = new FakeGatewayIc();
  const sessions = new Map<string, RecordingSession>([
    [clientKeyId(alice), new RecordingSession()],
    [clientKeyId(bob), new RecordingSession()],
  ]);
  const events = { outcomes: [] as string[], resyncs: [] as string[], skipped: [] as SkipReason[] };
  const observer: PollerObserver = {
    polled: (outcome) => events.outcomes.push(outcome),
    nonceResync: (kind, expected, received) => events.resyncs.push(`${kind} ${expected}->${received}`),
    skipped: (reason) => events.skipped.push(reason),
  };
  const poller = new CanisterPoller({
    canisterId: canister,
    gatewayPrincipal: gateway,
    getMessages: (id, nonce) => ic.getMessages(id, nonce),
    sessions: {
      get: (id) => sessions.get(id),
      anyAwaitingFirstMessage: () => [...sessions.values()].some((s) => s.awaitingFirstMessage),
    },
    timing: { ...timing, ...timingOverrides },
    observer,
    outboundRoom: () => room,
  });
  const a = sessions.get(clientKeyId(alice))!;
  const b = sessions.get(clientKeyId(bob))!;
  return { ic, poller, a, b, events };
}

/** Answers the latest poll with `batch` and lets the poller process it. */
async function answer(ic: FakeGatewayIc, batch = emptyBatch()): Promise<void> {
  ic.polls.at(-1)!.answer.resolve(batch);
  await flushMicrotasks();
}

/**
 * Activates the poller and answers its position probe (`ws_get_messages` from 2^63) with `liveEnd` as
 * `next_nonce` (none: a canister of the public stack); the probe is then dropped from `ic.polls`.
 */
async function activate(poller: CanisterPoller, ic: FakeGatewayIc, liveEnd?: bigint): Promise<void> {
  poller.activate();
  expect(ic.polls.at(-1)!.nonce).toBe(POSITION_PROBE_NONCE);
  await answer(ic, batchOf(gateway, [], true, liveEnd));
  ic.polls.splice(ic.polls.length - 2, 1);
}

const range = (from: number, to: number, key = alice) =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ nonce: BigInt(from + i), clientKey: key }));

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('CanisterPoller', () => {
  it('polls from nonce 0, routes each message by client key, and shares cert and tree', async () => {
    const { ic, poller, a, b } = setup();
    await activate(poller, ic);
    expect(ic.polls.map((p) => p.nonce)).toEqual([0n]);
    await answer(ic, batchOf(gateway, [{ nonce: 0n, clientKey: alice }, { nonce: 1n, clientKey: bob }, { nonce: 2n, clientKey: alice }]));
    expect(a.keys.map((k) => k.slice(-2))).toEqual(['00', '02']);
    expect(b.keys.map((k) => k.slice(-2))).toEqual(['01']);
    // One delivery (one socket write) per session per poll.
    expect([a.deliveries, b.deliveries]).toEqual([[2], [1]]);
    const frame = decodeCanisterMessageFrame(b.frames[0]!);
    expect(frame).toMatchObject({ content: Uint8Array.of(1), cert: Uint8Array.of(0xce, 0x47), tree: Uint8Array.of(0x7e, 0xe0) });
    expect(poller.nextNonce).toBe(3n);
  });

  it('polls again at once while the queue is not drained, else after the interval', async () => {
    const { ic, poller } = setup();
    await activate(poller, ic);
    await answer(ic, batchOf(gateway, range(0, 1), false));
    vi.advanceTimersByTime(0);
    expect(ic.polls.map((p) => p.nonce)).toEqual([0n, 2n]);
    await answer(ic, batchOf(gateway, range(2, 2), true));
    vi.advanceTimersByTime(timing.intervalMs - 1);
    expect(ic.polls).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(ic.polls.map((p) => p.nonce)).toEqual([0n, 2n, 3n]);
  });

  it('does not spin on a reply that says "more" but carries nothing', async () => {
    const { ic, poller } = setup();
    await activate(poller, ic);
    await answer(ic, { ...emptyBatch(), is_end_of_queue: false });
    vi.advanceTimersByTime(timing.intervalMs - 1);
    expect(ic.polls).toHaveLength(1);
  });

  it('skips messages for unknown client keys, other gateways and malformed keys, but moves past them', async () => {
    const { ic, poller, a, events } = setup();
    await activate(poller, ic);
    await answer(
      ic,
      batchOf(gateway, [
        { nonce: 0n, clientKey: stranger },
        { nonce: 1n, clientKey: alice, gateway: testPrincipal(99) },
        { nonce: 2n, clientKey: alice, rawKey: 'not-a-key' },
        { nonce: 3n, clientKey: alice },
      ]),
    );
    expect(a.keys).toHaveLength(1);
    expect(events.skipped.sort()).toEqual(['foreign_gateway', 'invalid_key', 'unknown_client']);
    expect(poller.nextNonce).toBe(4n);
  });

  it('follows a canister whose nonces restart below the expected one', async () => {
    const { ic, poller, a, events } = setup();
    await activate(poller, ic);
    await answer(ic, batchOf(gateway, range(0, 4)));
    vi.advanceTimersByTime(timing.intervalMs);
    expect(ic.polls.at(-1)!.nonce).toBe(5n);
    await answer(ic, batchOf(gateway, range(0, 1)));
    expect(events.resyncs).toEqual(['restart 5->0']);
    expect(a.frames).toHaveLength(7);
    expect(poller.nextNonce).toBe(2n);
  });

  it('follows a canister whose nonces jump (messages pruned) and reports it', async () => {
    const { ic, poller, a, events } = setup();
    await activate(poller, ic);
    await answer(ic, batchOf(gateway, range(3, 4)));
    expect(events.resyncs).toEqual([]);
    vi.advanceTimersByTime(timing.intervalMs);
    await answer(ic, batchOf(gateway, range(9, 10)));
    expect(events.resyncs).toEqual(['jump 5->9']);
    expect(a.frames).toHaveLength(4);
    expect(poller.nextNonce).toBe(11n);
  });

  it('drops messages out of order within a batch instead of sending a client a duplicate', async () => {
    const { ic, poller, a, events } = setup();
    await activate(poller, ic);
    await answer(ic, batchOf(gateway, [...range(0, 2), { nonce: 1n, clientKey: alice }]));
    expect(a.frames).toHaveLength(3);
    expect(events.skipped).toEqual(['out_of_order']);
  });

  it('backs off exponentially on IC errors and timeouts, keeping its nonce', async () => {
    const { ic, poller, events } = setup();
    await activate(poller, ic);
    await answer(ic, batchOf(gateway, range(0, 1)));
    vi.advanceTimersByTime(timing.intervalMs);
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      ic.polls.at(-1)!.answer.reject(new Error('connection refused'));
      await flushMicrotasks();
      const before = ic.polls.length;
      let waited = 0;
      while (ic.polls.length === before) {
        vi.advanceTimersByTime(100);
        waited += 100;
      }
      delays.push(waited);
    }
    expect(delays).toEqual([200, 400, 800, 1000]);
    expect(ic.polls.slice(1).every((p) => p.nonce === 2n)).toBe(true);
    // A poll that never answers times out and counts as a failure.
    vi.advanceTimersByTime(timing.timeoutMs);
    await flushMicrotasks();
    expect(events.outcomes.filter((o) => o === ErrorCode.PollFailed)).toHaveLength(5);
    vi.advanceTimersByTime(1000);
    await answer(ic, emptyBatch());
    vi.advanceTimersByTime(timing.intervalMs);
    expect(ic.polls.at(-1)!.nonce).toBe(2n);
    expect(events.outcomes.at(-1)).toBe('ok');
  });

  it('stops: ignores the reply in flight and polls no more', async () => {
    const { ic, poller, a } = setup();
    await activate(poller, ic);
    poller.stop();
    await answer(ic, batchOf(gateway, range(0, 0)));
    vi.advanceTimersByTime(10_000);
    expect(a.frames).toHaveLength(0);
    expect(ic.polls).toHaveLength(1);
    expect(poller.state).toBe('stopped');
  });

  it('probes from nonce 0 when a waiting session gets nothing, and follows a restart it finds', async () => {
    const { ic, poller, a, b, events } = setup();
    await activate(poller, ic);
    await answer(ic, batchOf(gateway, range(0, 9, bob)));
    a.awaitingFirstMessage = true;
    for (let i = 0; i < timing.probeAfterEmptyPolls; i++) {
      vi.advanceTimersByTime(timing.intervalMs);
      expect(ic.polls.at(-1)!.nonce).toBe(10n);
      await answer(ic);
    }
    vi.advanceTimersByTime(timing.intervalMs);
    expect(ic.polls.at(-1)!.nonce).toBe(0n);
    await answer(ic, batchOf(gateway, [{ nonce: 0n, clientKey: alice }]));
    expect(a.frames).toHaveLength(1);
    expect(events.resyncs).toEqual(['restart 10->0']);
    expect(poller.nextNonce).toBe(1n);
    expect(b.frames).toHaveLength(10);
  });

  it('ignores a probe that finds only old messages', async () => {
    const { ic, poller, a, b } = setup();
    await activate(poller, ic);
    await answer(ic, batchOf(gateway, range(0, 9, bob)));
    a.awaitingFirstMessage = true;
    for (let i = 0; i < timing.probeAfterEmptyPolls; i++) {
      vi.advanceTimersByTime(timing.intervalMs);
      await answer(ic);
    }
    vi.advanceTimersByTime(timing.intervalMs);
    expect(ic.polls.at(-1)!.nonce).toBe(0n);
    await answer(ic, batchOf(gateway, range(0, 9, bob)));
    expect(b.frames).toHaveLength(10);
    expect(poller.nextNonce).toBe(10n);
    vi.advanceTimersByTime(timing.intervalMs);
    expect(ic.polls.at(-1)!.nonce).toBe(10n);
  });
});

describe('CanisterPoller isolation', () => {
  it('keeps delivering to the other sessions when one session throws', async () => {
    const { ic, poller, a, b, events } = setup();
    a.deliver = () => {
      throw new Error('broken session');
    };
    await activate(poller, ic);
    await answer(ic, batchOf(gateway, [{ nonce: 0n, clientKey: alice }, { nonce: 1n, clientKey: bob }]));
    expect(b.frames).toHaveLength(1);
    expect(events.skipped).toEqual(['delivery_failed']);
    vi.advanceTimersByTime(timing.intervalMs);
    expect(ic.polls.at(-1)!.nonce).toBe(2n);
  });
});

describe('CanisterPoller position', () => {
  it('starts at the live end the canister reports, so old backlog is never read, and is ready only then', async () => {
    const { ic, poller, a } = setup();
    poller.activate();
    let ready = false;
    void poller.ready().then(() => (ready = true));
    await flushMicrotasks();
    expect(ready).toBe(false);
    expect(ic.polls.map((p) => p.nonce)).toEqual([POSITION_PROBE_NONCE]);
    await answer(ic, batchOf(gateway, [], true, 6_000n));
    expect(ready).toBe(true);
    expect(ic.polls.map((p) => p.nonce)).toEqual([POSITION_PROBE_NONCE, 6_000n]);
    await answer(ic, batchOf(gateway, [{ nonce: 6_000n, clientKey: alice }], true, 6_001n));
    expect(a.frames).toHaveLength(1);
  });

  it('without next_nonce (public canister library) keeps its position across idle moments', async () => {
    const { ic, poller } = setup();
    await activate(poller, ic);
    await answer(ic, batchOf(gateway, range(0, 4)));
    poller.deactivate();
    expect(poller.state).toBe('idle');
    vi.advanceTimersByTime(10 * timing.intervalMs);
    expect(ic.polls).toHaveLength(1);
    await activate(poller, ic);
    expect(ic.polls.at(-1)!.nonce).toBe(5n);
  });

  it('finds the live end again when it wakes up after an idle moment', async () => {
    const { ic, poller, a, events } = setup();
    await activate(poller, ic, 0n);
    await answer(ic, batchOf(gateway, range(0, 1), true, 2n));
    poller.deactivate();
    // Meanwhile the canister queued 500 messages for sessions that are gone.
    await activate(poller, ic, 502n);
    expect(ic.polls.at(-1)!.nonce).toBe(502n);
    expect(a.frames).toHaveLength(2);
    expect(events.resyncs).toEqual([]);
  });

  it('gives up on the position when the canister refuses the probe, and goes on polling from where it was', async () => {
    const { ic, poller } = setup();
    poller.activate();
    ic.polls[0]!.answer.reject(new GatewayError(ErrorCode.PollFailed, 'canister not found'));
    await flushMicrotasks();
    await expect(poller.ready()).resolves.toBeUndefined();
    vi.advanceTimersByTime(timing.backoff.initialMs);
    expect(ic.polls.map((p) => p.nonce)).toEqual([POSITION_PROBE_NONCE, 0n]);
  });

  it('retries the position probe with backoff while the IC is unreachable, and ignores a probe answered after it went idle', async () => {
    const { ic, poller } = setup();
    poller.activate();
    let ready = false;
    void poller.ready().then(() => (ready = true));
    ic.polls[0]!.answer.reject(new GatewayError(ErrorCode.PollFailed, 'fetch failed', { transient: true }));
    await flushMicrotasks();
    vi.advanceTimersByTime(timing.backoff.initialMs);
    expect(ic.polls.map((p) => p.nonce)).toEqual([POSITION_PROBE_NONCE, POSITION_PROBE_NONCE]);
    expect(ready).toBe(false);
    poller.deactivate();
    await expect(poller.ready()).resolves.toBeUndefined();
    await answer(ic, batchOf(gateway, [], true, 9n));
    expect(ic.polls).toHaveLength(2);
    expect(poller.state).toBe('idle');
  });

  it('sees at once that the canister restarted its nonces when next_nonce drops below its own', async () => {
    const { ic, poller, a, events } = setup();
    await activate(poller, ic, 40n);
    await answer(ic, batchOf(gateway, [], true, 40n));
    vi.advanceTimersByTime(timing.intervalMs);
    await answer(ic, batchOf(gateway, [], true, 1n));
    expect(events.resyncs).toEqual(['restart 40->1']);
    vi.advanceTimersByTime(0);
    expect(ic.polls.at(-1)!.nonce).toBe(0n);
    await answer(ic, batchOf(gateway, range(0, 0), true, 1n));
    expect(a.frames).toHaveLength(1);
  });
});

describe('CanisterPoller flow', () => {
  it('holds its next poll while the outbound budget is full', async () => {
    const { ic, poller } = setup();
    await activate(poller, ic);
    let release!: () => void;
    room = new Promise<void>((resolve) => (release = resolve));
    await answer(ic);
    vi.advanceTimersByTime(timing.intervalMs * 10);
    await flushMicrotasks();
    expect(ic.polls).toHaveLength(1);
    room = null;
    release();
    await flushMicrotasks();
    expect(ic.polls).toHaveLength(2);
  });

  it('drains: resolves after a poll started after the call finds the queue empty, polling without pause', async () => {
    const { ic, poller, a } = setup();
    await activate(poller, ic);
    let drained = false;
    // A poll is in flight: it started before the drain, so it does not count.
    void poller.drain().then(() => (drained = true));
    await answer(ic, batchOf(gateway, range(0, 1)));
    expect(drained).toBe(false);
    vi.advanceTimersByTime(0);
    expect(ic.polls).toHaveLength(2);
    await answer(ic, batchOf(gateway, range(2, 3), false));
    expect(drained).toBe(false);
    vi.advanceTimersByTime(0);
    await answer(ic, batchOf(gateway, range(4, 4), true));
    expect(drained).toBe(true);
    expect(a.frames).toHaveLength(5);
    poller.deactivate();
    await expect(poller.drain()).resolves.toBeUndefined();
  });
});

describe('CanisterPoller pace', () => {
  /**
   * Answers every poll (the one pending now first) with `reply(pollIndex)` as soon as it is made, for `ms`
   * of fake time; returns the times (ms since the call) at which polls started.
   */
  const answeredByRun = new WeakSet<object>();
  async function run(ic: FakeGatewayIc, ms: number, reply: (index: number) => ReturnType<typeof emptyBatch> = () => emptyBatch()) {
    const starts: number[] = [];
    const t0 = performance.now();
    // The poll pending now (the last one, unless an earlier run answered it) comes first.
    let next = ic.polls.length - 1;
    if (next >= 0 && answeredByRun.has(ic.polls[next]!)) next += 1;
    for (let t = 0; t <= ms; t += 10) {
      while (next < ic.polls.length) {
        const poll = ic.polls[next]!;
        starts.push(Math.round(performance.now() - t0));
        answeredByRun.add(poll);
        await answer(ic, reply(next));
        next += 1;
      }
      await vi.advanceTimersByTimeAsync(10);
    }
    return starts;
  }
  /** Checks that the next poll starts exactly `ms` from now. */
  function expectNextPollIn(ic: FakeGatewayIc, ms: number): void {
    const before = ic.polls.length;
    vi.advanceTimersByTime(ms - 1);
    expect(ic.polls).toHaveLength(before);
    vi.advanceTimersByTime(1);
    expect(ic.polls).toHaveLength(before + 1);
  }
  const gaps = (starts: number[]) => starts.slice(1).map((t, i) => t - starts[i]!);

  it('counts the interval from the start of a poll, so a slow reply does not stretch it, but pauses at least half of it', async () => {
    const { ic, poller } = setup();
    await activate(poller, ic);
    vi.advanceTimersByTime(30);
    await answer(ic);
    expectNextPollIn(ic, 70);
    // A reply after 80 ms: the next poll 50 ms later (half an interval), not 20.
    vi.advanceTimersByTime(80);
    await answer(ic);
    expectNextPollIn(ic, 50);
  });

  it('polls an idle canister less and less often, up to maxIdleIntervalMs, and at the full rate again on a message', async () => {
    const { ic, poller, a, events } = setup({ maxIdleIntervalMs: 800 });
    await activate(poller, ic);
    const quiet = gaps(await run(ic, IDLE_AFTER_MS + 4_000));
    const fullRate = quiet.filter((gap) => gap === 100).length;
    // Quiet for IDLE_AFTER_MS at the full rate, then doubling up to the cap, then at the cap.
    expect(fullRate).toBe(IDLE_AFTER_MS / 100);
    expect(quiet.slice(fullRate, fullRate + 4)).toEqual([200, 400, 800, 800]);
    expect(Math.max(...quiet)).toBe(800);
    // Messages again: from the first poll that finds one, back to the polling interval.
    const busy = gaps(await run(ic, 1_500, (i) => batchOf(gateway, range(i, i))));
    expect(a.frames.length).toBe(busy.length + 1);
    expect(busy.slice(1).every((gap) => gap === 100)).toBe(true);
  });

  it('polls backed-off canisters together: pauses of 1 s or more end on a grid shared by every poller', async () => {
    const first = setup({ maxIdleIntervalMs: 3_000 });
    await activate(first.poller, first.ic);
    vi.advanceTimersByTime(130); // the second canister's sessions come later: another phase
    const second = setup({ maxIdleIntervalMs: 3_000 });
    await activate(second.poller, second.ic);
    const starts = new Map([first.ic, second.ic].map((ic) => [ic, [] as number[]]));
    const answered = new Set<unknown>();
    for (let elapsed = 0, step = 0; elapsed < IDLE_AFTER_MS + 12_000; elapsed += 10, step++) {
      const started = [...starts].filter(([ic]) => !answered.has(ic.polls.at(-1)));
      for (const [ic, times] of started) {
        answered.add(ic.polls.at(-1));
        times.push(performance.now());
      }
      if (started.length > 0) {
        // Replies take 10-30 ms: the grid, not the round trip, sets when the next idle poll starts.
        vi.advanceTimersByTime(10 + (step % 3) * 10);
        for (const [ic] of started) await answer(ic);
      }
      await vi.advanceTimersByTimeAsync(10);
    }
    const late = (times: number[]) => times.filter((t) => t >= performance.now() - 7_000);
    const [a, b] = [late(starts.get(first.ic)!), late(starts.get(second.ic)!)];
    expect(a.length).toBeGreaterThanOrEqual(2);
    // At the cap: the same instants for both canisters, on the grid, 3 s apart.
    expect(b).toEqual(a);
    expect(a.every((t) => t % IDLE_POLL_GRID_MS === 0)).toBe(true);
    expect(new Set(gaps(a))).toEqual(new Set([3_000]));
    first.poller.stop();
    second.poller.stop();
  });

  it('never backs off when maxIdleIntervalMs is the polling interval', async () => {
    const { ic, poller } = setup({ maxIdleIntervalMs: 100 });
    await activate(poller, ic);
    expect(new Set(gaps(await run(ic, IDLE_AFTER_MS + 2_000)))).toEqual(new Set([100]));
  });

  it('nudge: polls at once while waiting, and again right after a poll in flight', async () => {
    const { ic, poller } = setup({ maxIdleIntervalMs: 800 });
    await activate(poller, ic);
    await answer(ic);
    poller.nudge();
    vi.advanceTimersByTime(0);
    expect(ic.polls).toHaveLength(2);
    // Nudged while the poll is in flight: that poll may have missed the call's answer; poll again at once.
    poller.nudge();
    await answer(ic);
    vi.advanceTimersByTime(0);
    expect(ic.polls).toHaveLength(3);
    // Not nudged: the normal interval.
    await answer(ic);
    expectNextPollIn(ic, 100);
  });

  it('nudge brings a backed-off canister back to the full rate', async () => {
    const { ic, poller } = setup({ maxIdleIntervalMs: 800 });
    await activate(poller, ic);
    expect(Math.max(...gaps(await run(ic, IDLE_AFTER_MS + 3_000)))).toBe(800);
    poller.nudge();
    vi.advanceTimersByTime(0);
    const after = await run(ic, 500);
    // The nudged poll at once, then the full rate.
    expect(after[0]).toBe(0);
    expect(gaps(after).slice(0, 3)).toEqual([100, 100, 100]);
  });

  it('ignores nudge while backing off after failed polls, and while idle', async () => {
    const { ic, poller } = setup();
    await activate(poller, ic);
    ic.polls.at(-1)!.answer.reject(new GatewayError(ErrorCode.PollFailed, 'fetch failed', { transient: true }));
    await flushMicrotasks();
    poller.nudge();
    expectNextPollIn(ic, timing.backoff.initialMs);
    poller.deactivate();
    poller.nudge();
    vi.advanceTimersByTime(10_000);
    expect(ic.polls).toHaveLength(2);
  });
});
