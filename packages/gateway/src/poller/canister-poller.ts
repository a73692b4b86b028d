import type { Principal } from '@dfinity/principal';
import { CanisterFrameEncoder, ErrorCode, type CanisterOutputCertifiedMessages, type CanisterOutputMessage } from 'ic-ws-protocol';
import { GatewayError, describeError } from '../gateway-error';
import type { RoutedSession } from '../session/session-ports';
import { clientKeyId } from '../session/session-state';
import { parseBatch } from './parse-batch';
import type { PollerObserver } from './poller-observer';

/** The sessions of one canister, as its poller sees them. */
export interface CanisterSessions {
  get(clientKeyId: string): RoutedSession | undefined;
  /** True when some session relayed its `ws_open` and is still waiting for its first message. */
  anyAwaitingFirstMessage(): boolean;
}

/** Timing of one poller. */
export interface PollerTiming {
  /**
   * Time from the start of a poll that drained the queue to the start of the next one (the poll's own round
   * trip is part of it, so a canister is polled every `intervalMs`, not every `intervalMs` + round trip), with
   * at least half of it between the end of one poll and the start of the next.
   */
  intervalMs: number;
  /**
   * Longest such time for a canister whose polls keep finding nothing: once it has been quiet for
   * {@link IDLE_AFTER_MS}, every empty poll doubles the interval up to this. A message, or a client's call
   * relayed to the canister ({@link CanisterPoller.nudge}), brings it back to `intervalMs`. At most
   * `intervalMs`: no backoff.
   */
  maxIdleIntervalMs: number;
  /** Timeout of one `ws_get_messages`. */
  timeoutMs: number;
  /** First and largest pause after failed polls (doubling in between). */
  backoff: { initialMs: number; maxMs: number };
  /** Empty polls while a session waits for its OpenMessage before probing from nonce 0 (see `#process`). */
  probeAfterEmptyPolls: number;
}

/** Collaborators of a {@link CanisterPoller}. */
export interface PollerDeps {
  canisterId: Principal;
  gatewayPrincipal: Principal;
  getMessages(canisterId: Principal, nonce: bigint): Promise<CanisterOutputCertifiedMessages>;
  sessions: CanisterSessions;
  timing: PollerTiming;
  observer: PollerObserver;
  /**
   * `null` when the gateway may hand clients more frames now, else a promise that resolves once its outbound
   * budget has room again. A poll waits for it, so while clients read slowly the messages wait in the
   * canister's queue, not in the gateway.
   */
  outboundRoom(): Promise<void> | null;
}

/**
 * `idle` (no sessions: not polling, position kept) -> `positioning` (asking where the live end of the queue
 * is) -> `polling` <-> `waiting` -> back to `idle` with the last session; `stopped` for good.
 */
export type PollerState = 'idle' | 'positioning' | 'polling' | 'waiting' | 'stopped';

/**
 * A nonce past any real queue: `ws_get_messages` from it is always empty and costs the canister nothing, and
 * an ic-ws canister's reply tells the live end of the queue (`next_nonce`). Not 2^64 - 1: a canister adding
 * to it must not overflow.
 */
export const POSITION_PROBE_NONCE = 1n << 63n;

/**
 * How long a canister's polls must have found nothing before its polling interval starts to grow: short
 * pauses in a conversation keep the full polling rate, a canister left alone is polled less and less.
 */
export const IDLE_AFTER_MS = 1_000;

/**
 * Pauses of backed-off canisters of at least this long end on a tick of a grid shared by every poller of the
 * process (multiples of {@link IDLE_POLL_GRID_MS} on `performance.now()`), so a gateway's idle canisters are
 * polled together, one wake-up for all of them, instead of each on its own timer at its own phase: a poll
 * that wakes a sleeping process costs about twice one that follows another.
 */
export const IDLE_ALIGN_FROM_MS = 1_000;
/** The grid of {@link IDLE_ALIGN_FROM_MS}: an idle poll moves by at most half of it. */
export const IDLE_POLL_GRID_MS = 500;

/**
 * Polls one canister's `ws_get_messages` for this gateway and hands each message to the session whose
 * client key it names. It never drops sessions: IC errors only slow it down (exponential backoff), and a
 * canister whose nonces restart (upgrade, or the gateway forgotten) or jump (messages pruned) is followed.
 *
 * When a canister gets its first session (again), the poller first asks for the live end of the queue and
 * starts there, so it never re-reads the backlog of sessions it no longer has: a new session's OpenMessage
 * comes right away, whatever was queued before. Sessions wait for {@link ready} before relaying `ws_open`.
 * Canisters of the public stack do not tell the live end; the poller then goes on from where it stopped.
 */
export class CanisterPoller {
  #state: PollerState = 'idle';
  #nextNonce = 0n;
  #seenMessage = false;
  // Whether the canister fills the next_nonce extension (then restarts are seen at once, no probing).
  #reportsNextNonce = false;
  #failures = 0;
  #emptyPollsWhileAwaiting = 0;
  // Bumped on every activation and deactivation: work started by an earlier one is ignored when it returns.
  #generation = 0;
  #pollsStarted = 0;
  #timer: { timeout: ReturnType<typeof setTimeout> } | { immediate: ReturnType<typeof setImmediate> } | undefined;
  #ready: { promise: Promise<void>; resolve: () => void } = settledReady();
  #drains: { afterPoll: number; resolve: () => void }[] = [];
  // Set by #process when an empty reply showed the canister's nonces started over: poll again at once.
  #restarted = false;
  // Set by nudge() during a poll: that poll may have started before the call it announces ran, poll again.
  #nudged = false;
  // The pause after a drained poll (intervalMs, or more while the canister is idle) and since when it is quiet.
  #intervalMs: number;
  #quietSince = performance.now();

  constructor(private readonly deps: PollerDeps) {
    this.#intervalMs = deps.timing.intervalMs;
  }

  get state(): PollerState {
    return this.#state;
  }

  /** The nonce the next regular poll asks for. */
  get nextNonce(): bigint {
    return this.#nextNonce;
  }

  /** Starts polling: first finds the live end of the queue, then polls. A no-op unless idle. */
  activate(): void {
    if (this.#state !== 'idle') return;
    this.#generation += 1;
    this.#ready = pendingReady();
    void this.#position(this.#generation);
  }

  /**
   * Resolves once the poller knows where to read (at once while polling). Also resolves when it is
   * deactivated or stopped meanwhile, so nobody waits for a poller that will not start.
   */
  ready(): Promise<void> {
    return this.#ready.promise;
  }

  /** Stops polling until the next {@link activate}, keeping the position; a poll in flight is ignored. */
  deactivate(): void {
    if (this.#state === 'stopped' || this.#state === 'idle') return;
    this.#generation += 1;
    this.#clearTimer();
    this.#state = 'idle';
    this.#emptyPollsWhileAwaiting = 0;
    this.#ready.resolve();
    this.#resolveDrains();
  }

  /**
   * Resolves after a poll that started after this call found the queue drained: every message the canister
   * had queued for this gateway by then has been handed to its session. While a drain waits, the poller
   * polls without pausing. Resolves at once when idle or stopped.
   */
  drain(): Promise<void> {
    if (this.#state === 'idle' || this.#state === 'stopped') return Promise.resolve();
    return new Promise((resolve) => {
      this.#drains.push({ afterPoll: this.#pollsStarted, resolve });
      if (this.#state === 'waiting') {
        this.#clearTimer();
        this.#schedule(0, this.#generation);
      }
    });
  }

  /**
   * A client's call to the canister was just executed (the gateway relayed it): the canister has likely queued
   * an answer. Polls at once (or right after the poll in flight), and back at the full polling rate. Ignored
   * while positioning, idle, stopped, or backing off after failed polls.
   */
  nudge(): void {
    this.#wakeUp();
    if (this.#state === 'polling') {
      this.#nudged = true;
    } else if (this.#state === 'waiting' && this.#failures === 0) {
      this.#clearTimer();
      this.#schedule(0, this.#generation);
    }
  }

  /** Stops for good; a poll in flight is ignored when it returns. */
  stop(): void {
    this.#generation += 1;
    this.#state = 'stopped';
    this.#clearTimer();
    this.#ready.resolve();
    this.#resolveDrains();
  }

  async #position(generation: number): Promise<void> {
    this.#state = 'positioning';
    const started = performance.now();
    let batch: CanisterOutputCertifiedMessages;
    try {
      batch = await this.#getMessagesWithTimeout(POSITION_PROBE_NONCE);
    } catch (error) {
      if (generation !== this.#generation) return;
      this.#reportFailure(error, started);
      if (error instanceof GatewayError && error.transient) {
        // The IC is unreachable: a ws_open could not get through either. Ask again; sessions wait.
        this.#timer = { timeout: setTimeout(() => void this.#position(generation), this.#backoffMs()) };
        return;
      }
      // The canister itself refused (it does not exist, or traps): no position to find. Sessions go ahead
      // (their ws_open will tell), and polling goes on from where it was, with backoff.
      this.#ready.resolve();
      return this.#schedule(this.#backoffMs(), generation);
    }
    if (generation !== this.#generation) return;
    this.#failures = 0;
    this.deps.observer.polled('ok', (performance.now() - started) / 1000);
    const liveEnd = batch.next_nonce[0];
    if (liveEnd !== undefined) {
      this.#reportsNextNonce = true;
      this.#nextNonce = liveEnd;
    }
    this.#ready.resolve();
    this.#wakeUp();
    void this.#poll(generation);
  }

  async #poll(generation: number): Promise<void> {
    this.#state = 'polling';
    const room = this.deps.outboundRoom();
    if (room !== null) {
      await room;
      if (generation !== this.#generation) return;
    }
    const probing = !this.#reportsNextNonce && this.#emptyPollsWhileAwaiting >= this.deps.timing.probeAfterEmptyPolls;
    const started = performance.now();
    const pollNumber = ++this.#pollsStarted;
    let batch: CanisterOutputCertifiedMessages;
    try {
      batch = await this.#getMessagesWithTimeout(probing ? 0n : this.#nextNonce);
    } catch (error) {
      if (generation !== this.#generation) return;
      this.#reportFailure(error, started);
      return this.#schedule(this.#backoffMs(), generation);
    }
    if (generation !== this.#generation) return;
    this.#failures = 0;
    this.deps.observer.polled('ok', (performance.now() - started) / 1000);
    const delivered = probing ? this.#processProbe(batch) : this.#process(batch);
    this.#trackStall(delivered);
    // A reply that claims more is queued but carries nothing would make us spin: treat it as drained.
    const drained = batch.is_end_of_queue || batch.messages.length === 0;
    if (drained && !probing) this.#resolveDrains(pollNumber);
    const again = !drained || this.#restarted || this.#nudged || this.#drains.length > 0;
    this.#restarted = false;
    this.#nudged = false;
    this.#schedule(again ? 0 : this.#pauseAfter(started, batch.messages.length > 0), generation);
  }

  /** Back to the full polling rate: the canister is active. */
  #wakeUp(): void {
    this.#intervalMs = this.deps.timing.intervalMs;
    this.#quietSince = performance.now();
  }

  /** The pause after a drained poll that started at `started`; `active`: its reply carried messages. */
  #pauseAfter(started: number, active: boolean): number {
    const now = performance.now();
    if (active) {
      this.#wakeUp();
    } else if (now - this.#quietSince >= IDLE_AFTER_MS) {
      const { intervalMs, maxIdleIntervalMs } = this.deps.timing;
      this.#intervalMs = Math.max(intervalMs, Math.min(maxIdleIntervalMs, this.#intervalMs * 2));
    }
    // Never back to back only because a round trip took long: at least half an interval between polls.
    const pause = Math.max(this.#intervalMs / 2, this.#intervalMs - (now - started));
    if (pause < IDLE_ALIGN_FROM_MS) return pause;
    // The nearest grid tick (a poll that started a little late keeps its place on the grid), but not sooner
    // than the minimum pause.
    let due = Math.round((now + pause) / IDLE_POLL_GRID_MS) * IDLE_POLL_GRID_MS;
    if (due - now < this.#intervalMs / 2) due += IDLE_POLL_GRID_MS;
    return due - now;
  }

  #reportFailure(error: unknown, started: number): void {
    const code = error instanceof GatewayError ? error.code : ErrorCode.PollFailed;
    this.deps.observer.polled(code, (performance.now() - started) / 1000, error);
    this.#failures += 1;
  }

  #backoffMs(): number {
    const { initialMs, maxMs } = this.deps.timing.backoff;
    return Math.min(maxMs, initialMs * 2 ** Math.min(this.#failures - 1, 30));
  }

  #schedule(delayMs: number, generation: number): void {
    if (generation !== this.#generation) return;
    this.#state = 'waiting';
    // More is queued: poll again on the next turn (setTimeout(0) would idle 1 ms per reply).
    this.#timer =
      delayMs === 0
        ? { immediate: setImmediate(() => void this.#poll(generation)) }
        : { timeout: setTimeout(() => void this.#poll(generation), delayMs) };
  }

  #clearTimer(): void {
    if (this.#timer === undefined) return;
    if ('timeout' in this.#timer) clearTimeout(this.#timer.timeout);
    else clearImmediate(this.#timer.immediate);
    this.#timer = undefined;
  }

  #resolveDrains(pollNumber = Infinity): void {
    const remaining = [];
    for (const drain of this.#drains) {
      if (pollNumber > drain.afterPoll) drain.resolve();
      else remaining.push(drain);
    }
    this.#drains = remaining;
  }

  #getMessagesWithTimeout(nonce: bigint): Promise<CanisterOutputCertifiedMessages> {
    const { canisterId } = this.deps;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new GatewayError(ErrorCode.PollFailed, `ws_get_messages timed out after ${this.deps.timing.timeoutMs} ms`, { transient: true }));
      }, this.deps.timing.timeoutMs);
      this.deps.getMessages(canisterId, nonce).then(
        (batch) => {
          clearTimeout(timer);
          resolve(batch);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error instanceof GatewayError ? error : new GatewayError(ErrorCode.PollFailed, describeError(error), { cause: error }));
        },
      );
    });
  }

  /** Delivers a regular batch; returns how many messages reached a session. */
  #process(batch: CanisterOutputCertifiedMessages): number {
    const liveEnd = batch.next_nonce[0];
    if (liveEnd !== undefined) this.#reportsNextNonce = true;
    if (batch.messages.length === 0 && liveEnd !== undefined && liveEnd < this.#nextNonce) {
      // The canister's next nonce is below ours: its nonces started over (it forgot this gateway, or was
      // reinstalled). Everything it queued since is new: read from the oldest message it keeps.
      this.deps.observer.nonceResync('restart', this.#nextNonce, liveEnd);
      this.#nextNonce = 0n;
      this.#restarted = true;
      return 0;
    }
    const parsed = parseBatch(batch, this.deps.gatewayPrincipal, this.deps.observer);
    const first = parsed[0];
    if (first === undefined) return 0;
    if (first.nonce < this.#nextNonce) {
      // Keys below what we asked for: the canister's nonces started over (reinstall, or it forgot us).
      this.deps.observer.nonceResync('restart', this.#nextNonce, first.nonce);
      this.#nextNonce = first.nonce;
    } else if (first.nonce > this.#nextNonce) {
      // Messages we never fetched were pruned (or this poller is new): nothing to do but carry on from here.
      if (this.#seenMessage) this.deps.observer.nonceResync('jump', this.#nextNonce, first.nonce);
      this.#nextNonce = first.nonce;
    }
    this.#seenMessage = true;
    const routed: { session: RoutedSession; message: CanisterOutputMessage }[] = [];
    for (const entry of parsed) {
      if (entry.nonce < this.#nextNonce) {
        this.deps.observer.skipped('out_of_order');
        continue;
      }
      this.#nextNonce = entry.nonce + 1n;
      const session = this.deps.sessions.get(clientKeyId(entry.message.client_key));
      if (session === undefined) {
        this.deps.observer.skipped('unknown_client');
        continue;
      }
      routed.push({ session, message: entry.message });
    }
    // The batch's certificate and witness are encoded once, and every frame written into one buffer.
    const frames = new CanisterFrameEncoder(batch.cert, batch.tree).encodeAll(routed.map((r) => r.message));
    // Each session gets its frames of this poll in one write (in queue order).
    const bySession = new Map<RoutedSession, Uint8Array[]>();
    routed.forEach(({ session }, i) => {
      const own = bySession.get(session);
      if (own === undefined) bySession.set(session, [frames[i]!]);
      else own.push(frames[i]!);
    });
    let delivered = 0;
    for (const [session, own] of bySession) {
      try {
        session.deliver(own);
        delivered += own.length;
      } catch {
        // deliver() is built not to throw; if it ever does, one session's fault must not stop the others.
        for (let i = 0; i < own.length; i++) this.deps.observer.skipped('delivery_failed');
      }
    }
    return delivered;
  }

  /**
   * For canisters that do not report `next_nonce`: one that restarted its nonces answers "nothing new" for
   * our (too high) nonce forever, so a session waiting for its OpenMessage would time out. After a few such
   * empty polls we read the queue from nonce 0: if it holds a message below our nonce for a session that is
   * waiting, the canister restarted, and we follow it from the first key of that reply. Otherwise the probe
   * is ignored.
   */
  #processProbe(batch: CanisterOutputCertifiedMessages): number {
    const parsed = parseBatch(batch, this.deps.gatewayPrincipal, { skipped: () => {} });
    const restarted = parsed.some((entry) => {
      if (entry.nonce >= this.#nextNonce) return false;
      return this.deps.sessions.get(clientKeyId(entry.message.client_key))?.awaitingFirstMessage === true;
    });
    this.#emptyPollsWhileAwaiting = 0;
    return restarted ? this.#process(batch) : 0;
  }

  #trackStall(delivered: number): void {
    if (delivered > 0 || !this.deps.sessions.anyAwaitingFirstMessage()) {
      this.#emptyPollsWhileAwaiting = 0;
    } else {
      this.#emptyPollsWhileAwaiting += 1;
    }
  }
}

function pendingReady(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

function settledReady(): { promise: Promise<void>; resolve: () => void } {
  return { promise: Promise.resolve(), resolve: () => {} };
}
