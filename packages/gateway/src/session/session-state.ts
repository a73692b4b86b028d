import { Principal } from '@dfinity/principal';
import type { ClientKey, CloseCode } from 'ic-ws-protocol';

/** Why a session ended: the close code sent to the client and a short reason (at most 123 bytes). */
export interface SessionCloseReason {
  code: CloseCode;
  reason: string;
}

/**
 * The canister and client a session was opened for, fixed by its `ws_open` envelope. It keeps the client key
 * once, as its routing id: {@link SessionTarget.clientKey} is rebuilt from it when asked for (to relay
 * `ws_open`/`ws_close`, for logs), since a `Principal` and its bytes cost ~0.3 kB and a gateway holds many
 * thousands of sessions.
 */
export class SessionTarget {
  /**
   * @param canisterId - the canister (the router may swap it for an equal `Principal` its sessions share).
   * @param clientKeyId - `clientKeyId(clientKey)`, the session's routing key.
   */
  constructor(
    public canisterId: Principal,
    readonly clientKeyId: string,
  ) {}

  static of(canisterId: Principal, clientKey: ClientKey): SessionTarget {
    return new SessionTarget(canisterId, clientKeyId(clientKey));
  }

  /** The client key (a new object each time). */
  get clientKey(): ClientKey {
    const id = this.clientKeyId;
    const colon = id.lastIndexOf(':');
    const bytes = new Uint8Array(colon);
    for (let i = 0; i < colon; i++) bytes[i] = id.charCodeAt(i);
    return { client_principal: Principal.fromUint8Array(bytes), client_nonce: BigInt(id.slice(colon + 1)) };
  }

  /** True when `principal` is the client's (compared with the bytes the id holds; no `Principal` is made). */
  isClient(principal: Principal): boolean {
    const bytes = principal.toUint8Array();
    const id = this.clientKeyId;
    if (id.charCodeAt(bytes.length) !== COLON || id.indexOf(':', bytes.length + 1) !== -1) return false;
    for (let i = 0; i < bytes.length; i++) if (id.charCodeAt(i) !== bytes[i]) return false;
    return true;
  }
}

const COLON = 0x3a;

/** Connected, handshake sent, waiting for the client's signed `ws_open`. */
export interface AwaitingOpenState {
  readonly kind: 'awaiting_open';
}

/** `ws_open` accepted and relayed; waiting for the canister's first message (its OpenMessage). */
export interface OpeningState {
  readonly kind: 'opening';
  readonly target: SessionTarget;
}

/** The canister's first message was delivered; `ws_message` envelopes flow. */
export interface OpenState {
  readonly kind: 'open';
  readonly target: SessionTarget;
}

/** Finished. `target` is set when the session got past `awaiting_open` (so the canister must hear `ws_close`). */
export interface ClosedState {
  readonly kind: 'closed';
  readonly reason: SessionCloseReason;
  readonly target: SessionTarget | null;
}

/** Every state of a session: awaiting_open -> opening -> open -> closed (closed is reachable from each). */
export type SessionState = AwaitingOpenState | OpeningState | OpenState | ClosedState;

/** A state a session can still leave. */
export type LiveSessionState = AwaitingOpenState | OpeningState | OpenState;

/**
 * The transitions. Each takes only the state it may leave, so an illegal transition (opening a closed
 * session, confirming an open before `ws_open`) does not type-check.
 */
export const sessionTransitions = {
  /** The first frame was a valid `ws_open` for `target`. */
  openRequested: (_from: AwaitingOpenState, target: SessionTarget): OpeningState => ({ kind: 'opening', target }),
  /** The canister's first message for the session arrived. */
  openConfirmed: (from: OpeningState): OpenState => ({ kind: 'open', target: from.target }),
  /** The session ends, whatever the cause. */
  closed: (from: LiveSessionState, reason: SessionCloseReason): ClosedState => ({
    kind: 'closed',
    reason,
    target: from.kind === 'awaiting_open' ? null : from.target,
  }),
};

/**
 * The routing id of a client key: the principal's bytes as one character each, `:` and the nonce (a text, so
 * it can key a `Map`). The poller computes it for every message and looks it up at once, so it is built with
 * one native call and kept short to hash (no `Principal.toText()`, CRC32 and base32, nor hex). It is never
 * shown nor stored; logs use {@link clientKeyText}. Distinct keys give distinct ids: the nonce, after the
 * last `:`, has only digits.
 */
export function clientKeyId(clientKey: ClientKey): string {
  const bytes = clientKey.client_principal.toUint8Array();
  return `${String.fromCharCode.apply(null, bytes as unknown as number[])}:${clientKey.client_nonce}`;
}

/** A client key as people read it: `<principal text>:<nonce>`, for logs. */
export function clientKeyText(clientKey: ClientKey): string {
  return `${clientKey.client_principal.toText()}:${clientKey.client_nonce}`;
}
