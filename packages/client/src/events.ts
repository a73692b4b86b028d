import type { ClientKey } from 'ic-ws-protocol';
import type { IcWsClientError } from './client-error';
import type { ConnectionFailure } from './connection-failure';
import type { DeliveryState, OutgoingMessage } from './delivery/outgoing-message';

/**
 * The named states of an {@link IcWebSocket}. `reconnecting` means a session failed and another is scheduled
 * or under way; `readyState` reports it as `CONNECTING`.
 */
export type IcWebSocketState = 'connecting' | 'open' | 'reconnecting' | 'closing' | 'closed';

/** Fired each time a session opens: the canister's OpenMessage arrived and verified. */
export class IcWsOpenEvent extends Event {
  constructor(
    /** The gateway this session goes through. */
    readonly gatewayUrl: string,
    /** This session's client key (principal + the nonce picked for it). */
    readonly clientKey: ClientKey,
    /** True when this session replaced a failed one. */
    readonly reconnected: boolean,
  ) {
    super('open');
  }
}

/** Fired for each verified application message, in the canister's order. */
export class IcWsMessageEvent<T> extends Event {
  constructor(
    /** The decoded application message. */
    readonly data: T,
    /** Its sequence number within the session (the OpenMessage is 1). */
    readonly sequenceNum: bigint,
  ) {
    super('message');
  }
}

/** Fired when a session fails (a close or a reconnection follows) or a queued message could not be sent. */
export class IcWsErrorEvent extends Event {
  constructor(readonly error: IcWsClientError) {
    super('error');
  }
}

/** Fired once, when the connection is closed for good (after `close()`, or when it will not reconnect). */
export class IcWsCloseEvent extends Event {
  constructor(
    /** The close code: `CloseCode.Normal` after `close()`, otherwise the failure's code (see `CloseCode`). */
    readonly code: number,
    /** A short human-readable reason. */
    readonly reason: string,
    /** True when the app (or the canister, with `ClosedByApplication`) ended the connection. */
    readonly wasClean: boolean,
    /** The failure that ended the connection, if any. */
    readonly error?: IcWsClientError,
  ) {
    super('close');
  }
}

/** Fired on every state change, with the reason: what to log, or show as "reconnecting in 4 s". */
export class IcWsStateChangeEvent extends Event {
  constructor(
    readonly state: IcWebSocketState,
    readonly previous: IcWebSocketState,
    /** Why the state changed. */
    readonly reason: string,
    /** For `reconnecting`: the attempt number, its delay and its gateway. */
    readonly reconnect?: { attempt: number; delayMs: number; gatewayUrl: string },
    /** The failure behind the change, if any. */
    readonly error?: IcWsClientError,
    /** For `reconnecting` and a failed `closed`: why the connection failed (unreachable, closed with code X, ...). */
    readonly failure?: ConnectionFailure,
  ) {
    super('statechange');
  }
}

/**
 * Fired for every delivery state a sent message takes (see {@link DeliveryState}): `queued` as `send` accepts it
 * (synchronously, `previous` undefined), then each change. Messages restored from the persistent outbox after a
 * reload are announced the same way (`previous` undefined, `message.restored` true) right after construction.
 */
export class IcWsDeliveryEvent<T> extends Event {
  /** The new state (`message.state` when the event fired). */
  readonly state: DeliveryState;

  constructor(
    /** The message. */
    readonly message: OutgoingMessage<T>,
    /** The state it left; `undefined` for a new message (`queued`) or one restored from the persistent outbox. */
    readonly previous: DeliveryState | undefined,
  ) {
    super('delivery');
    this.state = message.state;
  }
}

/** Event name -> event type, for typed `addEventListener`. */
export interface IcWebSocketEventMap<T> {
  open: IcWsOpenEvent;
  message: IcWsMessageEvent<T>;
  error: IcWsErrorEvent;
  close: IcWsCloseEvent;
  statechange: IcWsStateChangeEvent;
  delivery: IcWsDeliveryEvent<T>;
}
