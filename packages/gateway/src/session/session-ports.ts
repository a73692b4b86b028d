import type { Principal } from '@dfinity/principal';
import type { ErrorCode } from 'ic-ws-protocol';
import type { SessionState, SessionTarget } from './session-state';

/**
 * The little a session needs from its WebSocket. The ws adapter (`server/ws-session-socket.ts`) implements
 * it; unit tests use a recording fake. Ping/pong lives in the adapter: it is transport, not protocol.
 */
export interface SessionSocket {
  /**
   * Sends binary frames, in order; `onWritten` runs once, when the last of them is flushed to the network (or
   * the socket died). One callback for the frames of a poll, not one per frame.
   */
  send(frames: readonly Uint8Array[], onWritten: () => void): void;
  /** Closes with a close frame; a no-op when already closing or closed. */
  close(code: number, reason: string): void;
  /** Stops reading the socket (TCP backpressure); frames already received may still arrive. */
  pauseReading(): void;
  /** Reads the socket again. */
  resumeReading(): void;
}

/** A session as the router (the canister pollers) sees it. */
export interface RoutedSession {
  /** True while `ws_open` has been relayed but no canister message arrived yet (see the poller's probe). */
  readonly awaitingFirstMessage: boolean;
  /** Hands the session the encoded canister message frames of one poll, in order. Never blocks, never throws. */
  deliver(frames: readonly Uint8Array[]): void;
}

/** Routes canister messages to sessions by canister and client key; implemented by `PollerRegistry`. */
export interface SessionRouter {
  /**
   * Adds a session, starting its canister's poller if needed; false when its client key is already in use.
   * May replace `target.canisterId` with an equal `Principal` shared by the canister's sessions.
   */
  register(target: SessionTarget, session: RoutedSession): boolean;
  /** Removes `session` (and only it) from `target`; a canister left without sessions stops being polled. */
  unregister(target: SessionTarget, session: RoutedSession): void;
  /**
   * Resolves once the canister's poller knows where to read (the live end of its queue, see the poller), so
   * a `ws_open` relayed afterwards has its OpenMessage read, and never behind old sessions' backlog.
   */
  ready(canisterId: Principal): Promise<void>;
  /**
   * A client's `ws_open` or `ws_message` to the canister was relayed and ran: it has likely queued an answer,
   * so its poller polls at once rather than at its next interval.
   */
  relayed(canisterId: Principal): void;
}

/** The client keys this gateway opened on canisters: recorded before `ws_open`, closed with `ws_close`. */
export interface OpenKeys {
  /** Records that `target` is about to be opened; resolves once a restart would know to close it. Never rejects. */
  opening(target: SessionTarget): Promise<void>;
  /** Calls `ws_close` for `target` until the canister confirms (or gives up); resolves then, never rejects. */
  close(target: SessionTarget): Promise<void>;
}

/** What a session reports, for metrics and logs. Every method must return quickly and never throw. */
export interface SessionObserver {
  stateChanged(from: SessionState['kind'], to: SessionState): void;
  frameIn(bytes: number): void;
  /** `count` frames of `bytes` in all were handed to the socket. */
  framesOut(count: number, bytes: number): void;
  /** `error` is what made a relay fail (for the log line); absent when `outcome` is `ok`. */
  relayed(method: 'ws_open' | 'ws_message', outcome: 'ok' | ErrorCode, error?: unknown): void;
  /** A relay failed for a transient reason and will be posted again after `delayMs`. */
  relayRetried(method: 'ws_open' | 'ws_message', error: unknown, delayMs: number): void;
  /** One post of an envelope to the IC ended (answered or failed) after `seconds`. */
  posted(method: 'ws_open' | 'ws_message', seconds: number): void;
}

/** An observer that ignores everything. */
export const NOOP_SESSION_OBSERVER: SessionObserver = {
  stateChanged: () => {},
  frameIn: () => {},
  framesOut: () => {},
  relayed: () => {},
  relayRetried: () => {},
  posted: () => {},
};
