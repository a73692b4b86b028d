import type { Principal } from '@dfinity/principal';
import { CloseCode, ErrorCode, closeReasonText } from 'ic-ws-protocol';
import type { GatewayIc } from '../ic/gateway-ic';
import { GatewayError } from '../gateway-error';
import { truncateUtf8, validateMessageFrame, validateOpenFrame } from './client-frame-validation';
import { wsOpenError } from './ws-open-result';
import { OutboundBuffer } from './outbound-buffer';
import { SerialRelayQueue } from './serial-relay-queue';
import type { RoutedSession, SessionObserver, SessionRouter, SessionSocket } from './session-ports';
import { sessionTransitions, type SessionCloseReason, type SessionState, type SessionTarget } from './session-state';

/** Limits one session enforces. */
export interface SessionLimits {
  /** Largest client frame, in bytes. */
  maxPayload: number;
  /** Time from connect to the first canister message. */
  openTimeoutMs: number;
  /** Envelopes that may wait for relay. */
  maxPendingEnvelopes: number;
  /** Unflushed bytes above which outgoing frames queue. */
  maxBufferedBytes: number;
  /** Outgoing frames that may queue before the session closes as a slow consumer. */
  maxQueuedFrames: number;
}

/** Collaborators of a {@link Session}. */
export interface SessionDeps {
  socket: SessionSocket;
  gatewayPrincipal: Principal;
  /** The encoded handshake frame (the same bytes for every session). */
  handshakeFrame: Uint8Array;
  ic: Pick<GatewayIc, 'relayCall' | 'wsClose'>;
  router: SessionRouter;
  limits: SessionLimits;
  observer: SessionObserver;
}

interface RelayItem {
  method: 'ws_open' | 'ws_message';
  canisterId: Principal;
  envelope: Uint8Array;
}

/**
 * One client connection, independent of any WebSocket library: it validates client frames, relays them in
 * order, receives canister messages from the router and ends with `ws_close`. Its lifecycle is the
 * explicit {@link SessionState} machine; every way out goes through {@link Session.close}.
 */
export class Session implements RoutedSession {
  #state: SessionState = { kind: 'awaiting_open' };
  #openRelayed = false;
  #openTimer: ReturnType<typeof setTimeout> | undefined;
  #ended: Promise<void> | null = null;
  readonly #relays: SerialRelayQueue<RelayItem>;
  readonly #outbound: OutboundBuffer;

  constructor(private readonly deps: SessionDeps) {
    this.#relays = new SerialRelayQueue<RelayItem>(
      (item) => this.#relay(item),
      (error, item) => this.#relayFailed(error, item),
      deps.limits.maxPendingEnvelopes,
    );
    this.#outbound = new OutboundBuffer(
      (frame, onWritten) => {
        deps.observer.frameOut(frame.length);
        deps.socket.send(frame, onWritten);
      },
      deps.limits,
      () => this.#reject({ code: CloseCode.OutboundBufferOverflow, reason: closeReasonText(CloseCode.OutboundBufferOverflow) }),
    );
  }

  /** The current state (read-only view). */
  get state(): SessionState {
    return this.#state;
  }

  get awaitingFirstMessage(): boolean {
    return this.#state.kind === 'opening' && this.#openRelayed;
  }

  /** Sends the handshake and starts the open timer. Call once, right after the upgrade. */
  start(): void {
    if (this.#state.kind !== 'awaiting_open' || this.#openTimer !== undefined) return;
    this.#outbound.push(this.deps.handshakeFrame);
    this.#openTimer = setTimeout(() => {
      this.#reject({ code: CloseCode.OpenTimeout, reason: closeReasonText(CloseCode.OpenTimeout) });
    }, this.deps.limits.openTimeoutMs);
  }

  /** Handles one client frame. Never throws: bad input closes this session with its code. */
  handleFrame(data: Uint8Array, isBinary: boolean): void {
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
      this.#enqueue({ method: 'ws_open', canisterId: next.target.canisterId, envelope: verdict.value.envelopeBytes });
      return;
    }
    if (!isBinary) return this.#reject({ code: CloseCode.InvalidFrame, reason: 'text frames are not accepted' });
    const verdict = validateMessageFrame(data, state.target, this.deps.limits.maxPayload);
    if (!verdict.ok) return this.#reject(verdict.close);
    this.#enqueue({ method: 'ws_message', canisterId: state.target.canisterId, envelope: verdict.value });
  }

  #reject(reason: SessionCloseReason): void {
    void this.close(reason);
  }

  deliver(frame: Uint8Array): void {
    const state = this.#state;
    if (state.kind === 'closed' || state.kind === 'awaiting_open') return;
    if (state.kind === 'opening') {
      clearTimeout(this.#openTimer);
      // Drop the timer object too: a gateway holds many thousands of open sessions.
      this.#openTimer = undefined;
      this.#setState(sessionTransitions.openConfirmed(state));
    }
    this.#outbound.push(frame);
  }

  /** The client's socket closed (or died): end the session without sending a close frame. */
  handleSocketClosed(code: number): void {
    this.#end({ code: CloseCode.Normal, reason: `client closed the connection (${code})` }, false);
  }

  /**
   * Ends the session with `reason` (sent to the client as its close code) and calls `ws_close` when the
   * canister knew the session. Idempotent; the returned promise settles when `ws_close` finished.
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
    this.#relays.stop();
    if (closed.target) this.deps.router.unregister(closed.target, this);
    if (notifyPeer) this.deps.socket.close(reason.code, reason.reason);
    this.#ended = closed.target ? this.#wsClose(closed.target) : Promise.resolve();
    return this.#ended;
  }

  async #wsClose(target: SessionTarget): Promise<void> {
    // Wait for an in-flight relay: ws_close racing ahead of its own ws_open would leave the client registered.
    await this.#relays.whenIdle();
    try {
      await this.deps.ic.wsClose(target.canisterId, target.clientKey);
      this.deps.observer.wsClosed(target, 'ok');
    } catch (error) {
      this.deps.observer.wsClosed(target, error instanceof GatewayError ? error.code : ErrorCode.WsCloseFailed, error);
    }
  }

  #enqueue(item: RelayItem): void {
    if (!this.#relays.push(item)) {
      this.#reject({ code: CloseCode.TooManyPendingRequests, reason: closeReasonText(CloseCode.TooManyPendingRequests) });
    }
  }

  async #relay(item: RelayItem): Promise<void> {
    const isOpen = item.method === 'ws_open';
    const reply = await this.deps.ic.relayCall(item.canisterId, item.envelope, { readReply: isOpen });
    if (isOpen && reply.status === 'replied') {
      const error = wsOpenError(reply.reply);
      if (error !== null) throw new GatewayError(ErrorCode.RelayRejected, `ws_open returned Err: ${error}`);
    }
    this.deps.observer.relayed(item.method, 'ok');
    if (isOpen) this.#openRelayed = true;
  }

  #relayFailed(error: unknown, item: RelayItem): void {
    const code = error instanceof GatewayError ? error.code : ErrorCode.RelayFailed;
    this.deps.observer.relayed(item.method, code, error);
    const what = code === ErrorCode.RelayRejected ? 'rejected' : 'failed';
    // The IC's refusal says why (too large, a bad signature, the canister's reject): the client should know.
    const detail = error instanceof GatewayError && (item.method === 'ws_open' || code === ErrorCode.RelayRejected) ? `: ${error.message}` : '';
    this.#reject({ code: CloseCode.RelayFailed, reason: truncateUtf8(`${item.method} ${what}${detail}`, 123) });
  }

  #setState(next: SessionState): void {
    const from = this.#state.kind;
    this.#state = next;
    this.deps.observer.stateChanged(from, next);
  }
}
