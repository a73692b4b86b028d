import type { IcWsClientError } from '../client-error';

/**
 * Where an app message is on its way to the canister:
 * - `queued`: accepted by `send`, waiting for an open connection (or for a new one, to be re-sent);
 * - `relayed`: handed to a gateway, signed, for relay to the canister;
 * - `acknowledged`: the canister certified that it took it (a receipt, or an ack round covering it);
 * - `failed`: it will not be delivered, or may not have been; `error` says why.
 * `acknowledged` and `failed` are final. A `relayed` message goes back to `queued` when its connection failed
 * before the acknowledgement and it can be re-sent without a duplicate.
 */
export type DeliveryState = 'queued' | 'relayed' | 'acknowledged' | 'failed';

/** One message `send` accepted, as the app sees it: its delivery state, and a promise for those who want one. */
export interface OutgoingMessage<T> {
  /** Stable id: `<outbox id in hex>:<index>`; it stays the same across re-sends and page reloads. */
  readonly id: string;
  /** The message as given to `send` (decoded again from storage for a message restored after a reload). */
  readonly data: T;
  /** When `send` accepted it (local clock, ms since the epoch). */
  readonly createdAtMs: number;
  /** True when it was restored from the persistent outbox rather than sent by this `IcWebSocket`. */
  readonly restored: boolean;
  readonly state: DeliveryState;
  /** Why it failed, once `failed`. */
  readonly error: IcWsClientError | undefined;
  /**
   * Resolves once the canister acknowledged the message; rejects with the `IcWsClientError` once it failed.
   * Created on first access, so a message whose promise is never asked for causes no unhandled rejection.
   */
  readonly acknowledged: Promise<void>;
}

interface Settlement {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: IcWsClientError) => void;
}

/** The client's own handle on an {@link OutgoingMessage}: the same object, plus the one way to change its state. */
export class TrackedMessage<T> implements OutgoingMessage<T> {
  #state: DeliveryState = 'queued';
  #error: IcWsClientError | undefined;
  #settlement: Settlement | undefined;

  constructor(
    readonly id: string,
    readonly data: T,
    readonly createdAtMs: number,
    readonly restored: boolean,
  ) {}

  get state(): DeliveryState {
    return this.#state;
  }

  get error(): IcWsClientError | undefined {
    return this.#error;
  }

  get isFinal(): boolean {
    return this.#state === 'acknowledged' || this.#state === 'failed';
  }

  get acknowledged(): Promise<void> {
    if (this.#settlement === undefined) {
      let resolve!: () => void;
      let reject!: (error: IcWsClientError) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      this.#settlement = { promise, resolve, reject };
      this.#settle();
    }
    return this.#settlement.promise;
  }

  /**
   * Moves to `state` (with `error` for `failed`); returns the previous state, or `undefined` when nothing changed
   * (same state, or already final: a final state never changes).
   */
  transition(state: DeliveryState, error?: IcWsClientError): DeliveryState | undefined {
    if (this.isFinal || state === this.#state) return undefined;
    const previous = this.#state;
    this.#state = state;
    if (state === 'failed') this.#error = error;
    this.#settle();
    return previous;
  }

  #settle(): void {
    if (this.#settlement === undefined) return;
    if (this.#state === 'acknowledged') this.#settlement.resolve();
    else if (this.#state === 'failed') this.#settlement.reject(this.#error as IcWsClientError);
  }
}
