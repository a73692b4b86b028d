import type { Principal } from '@dfinity/principal';
import { CloseCode, ErrorCode, closeReasonText } from 'ic-ws-protocol';
import { InboundFlow, clientFrameWireBytes } from '../flow/inbound-flow';
import type { ByteBudget } from '../flow/byte-budget';
import type { InboundPool } from '../flow/inbound-pool';
import type { GatewayIc } from '../ic/gateway-ic';
import { retryTransient, type Backoff } from '../ic/retry-transient';
import { GatewayError } from '../gateway-error';
import { truncateUtf8, validateMessageFrame, validateOpenFrame } from './client-frame-validation';
import { wsOpenError } from './ws-open-result';
import { OutboundBuffer } from './outbound-buffer';
import { SerialRelayQueue } from './serial-relay-queue';
import type { OpenKeys, RoutedSession, SessionObserver, SessionRouter, SessionSocket } from './session-ports';
import { sessionTransitions, type SessionCloseReason, type SessionState, type SessionTarget } from './session-state';

/** Limits one session enforces. */
export interface SessionLimits {
  /** Largest client frame, in bytes. */
  maxPayload: number;
  /** Time from connect to the first canister message. */
  openTimeoutMs: number;
  /** Envelopes waiting for (or in) relay above which the socket is not read. */
  maxPendingEnvelopes: number;
  /** Bytes (frame in progress plus pending envelopes) above which the socket is not read. */
  maxPendingBytesPerSession: number;
  /** Unflushed outgoing bytes above which the session closes as a slow consumer. */
  maxOutboundBytesPerSession: number;
  /** Pauses between re-posts of an envelope whose relay failed for a transient reason. */
  relayRetryBackoff: Backoff;
}

/**
 * Collaborators of a {@link Session}, other than its socket: one object shared by every session of a
 * gateway (a gateway holds many thousands of sessions; nothing here is per session).
 */
export interface SessionDeps {
  gatewayPrincipal: Principal;
  /** The encoded handshake frame (the same bytes for every session). */
  handshakeFrame: Uint8Array;
  ic: Pick<GatewayIc, 'relayCall'>;
  router: SessionRouter;
  openKeys: OpenKeys;
  limits: SessionLimits;
  /** The gateway-wide budgets the session draws on. */
  pools: { inbound: InboundPool; outbound: ByteBudget };
  observer: SessionObserver;
}

interface RelayItem {
  method: 'ws_open' | 'ws_message';
  canisterId: Principal;
  envelope: Uint8Array;
  /** Bytes held for this envelope (its frame). */
  bytes: number;
  /** No attempt starts after this (epoch ms): the envelope's ingress expiry. */
  deadlineMs: number;
}

// The IC refuses an ingress_expiry more than 5 minutes ahead; a later one is a hostile client's: cap retrying.
const MAX_INGRESS_WINDOW_MS = 6 * 60_000;
// An attempt started this close to the expiry would reach the IC with the envelope expired.
const EXPIRY_MARGIN_MS = 1_000;
const AWAITING_OPEN: SessionState = { kind: 'awaiting_open' };

// Envelopes beyond the flow limit that a session may still queue (frames already parsed when reading paused).
const QUEUE_SLACK = 64;

/**
 * One client connection, independent of any WebSocket library: it validates client frames, relays them in
 * order (re-posting an envelope whose relay failed for a transient reason until its ingress expiry),
 * receives canister messages from the router and ends with `ws_close`. Reading the socket pauses while the
 * session or the gateway holds too many client bytes. Its lifecycle is the explicit {@link SessionState}
 * machine; every way out goes through {@link Session.close}.
 */
export class Session implements RoutedSession {
  #state: SessionState = AWAITING_OPEN;
  #openRelayed = false;
  #openTimer: ReturnType<typeof setTimeout> | undefined;
  #ended: Promise<void> | null = null;
  // Only while envelopes are waiting or being relayed: an idle session (most of them, most of the time)
  // holds no queue.
  #relays: SerialRelayQueue<RelayItem> | null = null;
  readonly #socket: SessionSocket;
  // Only while the session holds client bytes (a frame in progress, envelopes being relayed) or does not
  // read its socket: an idle session holds none; the next bytes make a new one.
  #inbound: InboundFlow | null = null;
  readonly #outbound: OutboundBuffer;
  // The relay in progress, aborted when the session ends (a relay being retried is not posted again). One per
  // relay, not per session: an idle session holds none.
  #relayAbort: AbortController | null = null;

  /**
   * @param deps - shared by every session of the gateway.
   * @param socket - this session's connection.
   */
  constructor(
    private readonly deps: SessionDeps,
    socket: SessionSocket,
  ) {
    this.#socket = socket;
    this.#outbound = new OutboundBuffer(socket, deps);
  }

  #flow(): InboundFlow {
    return (this.#inbound ??= new InboundFlow(this.deps.pools.inbound, this.deps.limits, this.#socket));
  }

  #dropFlowIfIdle(): void {
    if (this.#inbound?.idle === true) this.#inbound = null;
  }

  #relayQueue(): SerialRelayQueue<RelayItem> {
    if (this.#relays !== null) return this.#relays;
    const queue = new SerialRelayQueue<RelayItem>(
      {
        run: (item) => this.#relay(item),
        failed: (error, item) => this.#relayFailed(error, item),
        settled: (item) => {
          this.#flow().release(item.bytes);
          this.#dropFlowIfIdle();
        },
        // Dropped once idle; the next envelope makes a new one (a session's relays stay in order either way).
        idle: () => {
          if (this.#relays === queue) this.#relays = null;
        },
      },
      this.deps.limits.maxPendingEnvelopes + QUEUE_SLACK,
    );
    this.#relays = queue;
    return queue;
  }

  /** The current state (read-only view). */
  get state(): SessionState {
    return this.#state;
  }

  get awaitingFirstMessage(): boolean {
    return this.#state.kind === 'opening' && this.#openRelayed;
  }

  /** True while the session does not read its socket (flow control or drain). */
  get readingPaused(): boolean {
    return this.#inbound?.paused ?? false;
  }

  /** Sends the handshake and starts the open timer. Call once, right after the upgrade. */
  start(): void {
    if (this.#state.kind !== 'awaiting_open' || this.#openTimer !== undefined) return;
    this.#outbound.push([this.deps.handshakeFrame]);
    this.#startOpenTimer();
  }

  // The open timeout bounds the client's part (sending its ws_open) and, once the ws_open is relayed, the
  // wait for the canister's OpenMessage. While the ws_open is being relayed it is stopped: the relay has its
  // own bound (the envelope's ingress expiry), and a slow IC must not close sessions that would reconnect.
  #startOpenTimer(): void {
    clearTimeout(this.#openTimer);
    this.#openTimer = setTimeout(() => {
      this.#reject({ code: CloseCode.OpenTimeout, reason: closeReasonText(CloseCode.OpenTimeout) });
    }, this.deps.limits.openTimeoutMs);
  }

  #stopOpenTimer(): void {
    clearTimeout(this.#openTimer);
    // Drop the timer object too: a gateway holds many thousands of open sessions.
    this.#openTimer = undefined;
  }

  /** Raw bytes arrived on the socket (before they form frames): counted against the inbound budget. */
  handleBytesReceived(bytes: number): void {
    this.#flow().bytesReceived(bytes);
  }

  /** A control frame (ping, pong) of `payloadBytes` left the parser. */
  handleControlFrame(payloadBytes: number): void {
    this.#flow().frameTaken(clientFrameWireBytes(payloadBytes));
    this.#dropFlowIfIdle();
  }

  /** Handles one client frame. Never throws: bad input closes this session with its code. */
  handleFrame(data: Uint8Array, isBinary: boolean): void {
    this.#flow().frameTaken(clientFrameWireBytes(data.length));
    this.#handleFrame(data, isBinary);
    this.#dropFlowIfIdle();
  }

  #handleFrame(data: Uint8Array, isBinary: boolean): void {
    const state = this.#state;
    if (state.kind === 'closed') return;
    this.deps.observer.frameIn(data.length);
    if (state.kind === 'awaiting_open') {
      if (!isBinary) return this.#reject({ code: CloseCode.InvalidFirstFrame, reason: 'text frames are not accepted' });
      const verdict = validateOpenFrame(data, this.deps.gatewayPrincipal, this.deps.limits.maxPayload);
      if (!verdict.ok) return this.#reject(verdict.close);
      const next = sessionTransitions.openRequested(state, verdict.value.target);
      // Register before relaying, so the poller cannot fetch the OpenMessage before it knows the session.
      if (!this.deps.router.register(next.target, this)) {
        return this.#reject({ code: CloseCode.ClientKeyInUse, reason: closeReasonText(CloseCode.ClientKeyInUse) });
      }
      this.#setState(next);
      this.#stopOpenTimer();
      this.#enqueue({ method: 'ws_open', canisterId: next.target.canisterId, envelope: verdict.value.envelopeBytes, bytes: data.length, deadlineMs: this.#deadline(verdict.value.expiryMs) });
      return;
    }
    if (!isBinary) return this.#reject({ code: CloseCode.InvalidFrame, reason: 'text frames are not accepted' });
    const verdict = validateMessageFrame(data, state.target, this.deps.limits.maxPayload);
    if (!verdict.ok) return this.#reject(verdict.close);
    this.#enqueue({ method: 'ws_message', canisterId: state.target.canisterId, envelope: verdict.value.envelopeBytes, bytes: data.length, deadlineMs: this.#deadline(verdict.value.expiryMs) });
  }

  #reject(reason: SessionCloseReason): void {
    void this.close(reason);
  }

  deliver(frames: readonly Uint8Array[]): void {
    const state = this.#state;
    if (state.kind === 'closed' || state.kind === 'awaiting_open') return;
    if (state.kind === 'opening') {
      this.#stopOpenTimer();
      this.#setState(sessionTransitions.openConfirmed(state));
    }
    if (!this.#outbound.push(frames) && this.#outbound.overflowed) {
      this.#reject({ code: CloseCode.OutboundBufferOverflow, reason: closeReasonText(CloseCode.OutboundBufferOverflow) });
    }
  }

  /**
   * Stops reading the client (the gateway is draining) and resolves once every envelope already accepted
   * has been relayed (or has failed).
   */
  drain(): Promise<void> {
    this.#flow().stop();
    return this.#relays?.whenIdle() ?? Promise.resolve();
  }

  /** Resolves once every frame delivered so far has been flushed to the socket. */
  whenFlushed(): Promise<void> {
    return this.#outbound.whenFlushed();
  }

  /** The client's socket closed (or died): end the session without sending a close frame. */
  handleSocketClosed(code: number): void {
    this.#end({ code: CloseCode.Normal, reason: `client closed the connection (${code})` }, false);
  }

  /**
   * Ends the session with `reason` (sent to the client as its close code) and calls `ws_close` when the
   * canister knew the session. Idempotent; the returned promise settles when `ws_close` is confirmed (or
   * given up on).
   */
  close(reason: SessionCloseReason): Promise<void> {
    return this.#end(reason, true);
  }

  /** Settles once the session has ended and its `ws_close` (if any) finished; `null` while live. */
  get ended(): Promise<void> | null {
    return this.#ended;
  }

  #end(reason: SessionCloseReason, notifyPeer: boolean): Promise<void> {
    const state = this.#state;
    if (state.kind === 'closed') return this.#ended ?? Promise.resolve();
    const closed = sessionTransitions.closed(state, reason);
    this.#setState(closed);
    clearTimeout(this.#openTimer);
    this.#relayAbort?.abort();
    this.#relays?.stop();
    // Returns the session's bytes to the pool and reads the socket again: the close handshake needs it.
    // (Made if the session had none: the disposed flow stays, so bytes read after the end are not counted.)
    this.#flow().dispose();
    if (closed.target) this.deps.router.unregister(closed.target, this);
    if (notifyPeer) this.#socket.close(reason.code, reason.reason);
    this.#outbound.dispose();
    this.#ended = closed.target ? this.#wsClose(closed.target) : Promise.resolve();
    return this.#ended;
  }

  async #wsClose(target: SessionTarget): Promise<void> {
    // Wait for an in-flight relay: ws_close racing ahead of its own ws_open would leave the client registered.
    await this.#relays?.whenIdle();
    await this.deps.openKeys.close(target);
  }

  #deadline(expiryMs: number): number {
    return Math.min(expiryMs - EXPIRY_MARGIN_MS, Date.now() + MAX_INGRESS_WINDOW_MS);
  }

  #enqueue(item: RelayItem): void {
    this.#flow().hold(item.bytes);
    if (!this.#relayQueue().push(item)) {
      this.#flow().release(item.bytes);
      this.#reject({ code: CloseCode.TooManyPendingRequests, reason: closeReasonText(CloseCode.TooManyPendingRequests) });
    }
  }

  async #relay(item: RelayItem): Promise<void> {
    const abort = new AbortController();
    if (this.#state.kind === 'closed') abort.abort();
    this.#relayAbort = abort;
    try {
      await this.#relayUntil(item, abort.signal);
    } finally {
      if (this.#relayAbort === abort) this.#relayAbort = null;
    }
  }

  async #relayUntil(item: RelayItem, signal: AbortSignal): Promise<void> {
    const isOpen = item.method === 'ws_open';
    if (isOpen && this.#state.kind === 'opening') {
      const { target } = this.#state;
      // Where the poller will read from, and a record a restarted gateway can close, come first.
      await untilAborted(Promise.all([this.deps.router.ready(target.canisterId), this.deps.openKeys.opening(target)]), signal);
      if (signal.aborted) return;
    }
    const reply = await retryTransient(() => this.#post(item, isOpen), {
      backoff: this.deps.limits.relayRetryBackoff,
      deadlineMs: item.deadlineMs,
      signal,
      onRetry: (error, _attempt, delayMs) => this.deps.observer.relayRetried(item.method, error, delayMs),
    });
    if (isOpen && reply.status === 'replied') {
      const error = wsOpenError(reply.reply);
      if (error !== null) throw new GatewayError(ErrorCode.RelayRejected, `ws_open returned Err: ${error}`);
    }
    this.deps.observer.relayed(item.method, 'ok');
    if (isOpen) {
      this.#openRelayed = true;
      // The OpenMessage may have arrived (and opened the session) before the relay's answer.
      if (this.#state.kind === 'opening') this.#startOpenTimer();
    }
    // The canister has likely queued an answer (the OpenMessage, an echo): have it fetched now.
    this.deps.router.relayed(item.canisterId);
  }

  // One post. While it is in flight, the process holds two more copies of the envelope (fetch's copy of the
  // body and the request's; measured: with them counted, the inbound count matches the process's ArrayBuffer
  // bytes in tests/memory-budgets.serial.test.ts): they count as held too.
  async #post(item: RelayItem, readReply: boolean) {
    this.#flow().hold(item.bytes * 2, 0);
    const started = performance.now();
    try {
      return await this.deps.ic.relayCall(item.canisterId, item.envelope, { readReply });
    } finally {
      this.deps.observer.posted(item.method, (performance.now() - started) / 1000);
      this.#flow().release(item.bytes * 2, 0);
    }
  }

  #relayFailed(error: unknown, item: RelayItem): void {
    const code = error instanceof GatewayError ? error.code : ErrorCode.RelayFailed;
    this.deps.observer.relayed(item.method, code, error);
    if (this.#state.kind === 'closed') return;
    const transient = error instanceof GatewayError && error.transient;
    const what = transient ? 'not relayed before its ingress expiry' : code === ErrorCode.RelayRejected ? 'rejected' : 'failed';
    // The IC's refusal says why (too large, a bad signature, the canister's reject): the client should know.
    const detail = error instanceof GatewayError && !transient && (item.method === 'ws_open' || code === ErrorCode.RelayRejected) ? `: ${error.message}` : '';
    this.#reject({ code: CloseCode.RelayFailed, reason: truncateUtf8(`${item.method} ${what}${detail}`, 123) });
  }

  #setState(next: SessionState): void {
    const from = this.#state.kind;
    this.#state = next;
    this.deps.observer.stateChanged(from, next);
  }
}

/** Resolves when `promise` settles or `signal` aborts, whichever comes first. */
function untilAborted(promise: Promise<unknown>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    promise.then(done, done);
  });
}
