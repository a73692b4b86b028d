import { IDL } from '@dfinity/candid';
import type { Principal } from '@dfinity/principal';
import { CloseCode, closeReasonText, ErrorCode, type ClientKey } from 'ic-ws-protocol';
import { IcWsClientError } from './client-error';
import type { ConnectionFailure } from './connection-failure';
import { Outbox, type OutboxEntry } from './delivery/outbox';
import type { OutgoingMessage, TrackedMessage } from './delivery/outgoing-message';
import { WsMessageArgEncoder } from './envelope/ws-call-args';
import {
  IcWsCloseEvent,
  IcWsDeliveryEvent,
  IcWsErrorEvent,
  IcWsMessageEvent,
  IcWsOpenEvent,
  IcWsStateChangeEvent,
  type IcWebSocketEventMap,
  type IcWebSocketState,
} from './events';
import type { IcWebSocketOptions } from './ic-websocket-options';
import { messageIterator } from './message-iterator';
import { ReconnectScheduler } from './reconnect/reconnect-scheduler';
import { resolveOptions, type ResolvedOptions } from './resolve-options';
import { resolveRootKey } from './root-key';
import type { DeliveryOutcome } from './session/delivery-tracker';
import { WsSession, type SessionEnd, type UnsettledMessage } from './session/ws-session';
import type { BlsVerifier, BlsVerifierKind } from './verifier/bls/bls-verifier';
import { loadBlsVerifier } from './verifier/bls/load-bls-verifier';
import { CertificateVerifier } from './verifier/certificate-verifier';

type Handler<E> = ((event: E) => void) | null;

const READY_STATE: Record<IcWebSocketState, number> = { connecting: 0, reconnecting: 0, open: 1, closing: 2, closed: 3 };

/**
 * A WebSocket to an Internet Computer canister through an (untrusted) IC WebSocket gateway. Every message
 * is signed by `identity` and every canister message is verified (certificate, witness, client key, gateway,
 * order) before the app sees it; failed sessions are replaced with backoff, across the gateway list.
 *
 * @typeParam T - the application's message type.
 * @example
 * const ws = new IcWebSocket<ChatMessage>({
 *   gatewayUrl: 'wss://gateway.example.org',
 *   canisterId: 'bkyz2-fmaaa-aaaaa-qaaaq-cai',
 *   identity: await AuthClient.create().then((c) => c.getIdentity() as SignIdentity),
 *   appMessageIdl: ChatMessageIdl,
 * });
 * ws.onopen = () => ws.send({ text: 'hello' });
 * ws.onmessage = (event) => console.log(event.data);
 */
export class IcWebSocket<T = unknown> extends EventTarget implements AsyncIterable<T> {
  /** `readyState` while the first session is being set up, or a failed one is being replaced. */
  static readonly CONNECTING = 0;
  /** `readyState` while a session is open. */
  static readonly OPEN = 1;
  /** `readyState` between `close()` and the `close` event. */
  static readonly CLOSING = 2;
  /** `readyState` once closed for good. */
  static readonly CLOSED = 3;

  /** The canister this socket talks to. */
  readonly canisterId: Principal;
  readonly #options: ResolvedOptions<T>;
  readonly #outbox: Outbox<T>;
  readonly #scheduler: ReconnectScheduler;
  readonly #argEncoder: WsMessageArgEncoder;
  readonly #handlers: { [K in keyof IcWebSocketEventMap<T>]?: Handler<IcWebSocketEventMap<T>[K]> } = {};
  #state: IcWebSocketState = 'connecting';
  #session: WsSession<T> | undefined;
  #certificates: Promise<CertificateVerifier> | undefined;
  readonly #bls: Promise<BlsVerifier>;
  #blsInUse: BlsVerifier | undefined;
  #hasOpened = false;
  #lastFailure: ConnectionFailure | undefined;
  #receipts: boolean | undefined;

  /** @throws IcWsClientError `INVALID_OPTIONS` for missing or contradictory options. */
  constructor(options: IcWebSocketOptions<T>) {
    super();
    this.#options = resolveOptions(options);
    this.canisterId = this.#options.canisterId;
    this.#outbox = new Outbox<T>({
      capacity: this.#options.maxQueuedMessages,
      store: this.#options.outbox,
      scope: { canisterId: this.canisterId.toText(), principal: this.#options.identity.getPrincipal().toText() },
      maxAgeMs: this.#options.outboxMaxAgeMs,
      now: () => Date.now(),
      decode: (content) => IDL.decode([this.#options.appMessageIdl], content)[0] as T,
      onTransition: (message, previous) => this.dispatchEvent(new IcWsDeliveryEvent<T>(message, previous)),
      onStoreError: (error) => this.dispatchEvent(new IcWsErrorEvent(error)),
    });
    this.#argEncoder = new WsMessageArgEncoder(this.#options.appMessageIdl);
    this.#scheduler = new ReconnectScheduler({
      gatewayUrls: this.#options.gatewayUrls,
      maxAttempts: this.#options.reconnectMaxAttempts,
      backoff: {
        baseDelayMs: this.#options.reconnectBaseDelayMs,
        maxDelayMs: this.#options.reconnectMaxDelayMs,
        jitter: this.#options.reconnectJitter,
      },
      random: this.#options.random,
      timers: this.#options.timers,
    });
    for (const type of ['open', 'message', 'error', 'close', 'statechange', 'delivery'] as const) {
      super.addEventListener(type, (event) => (this.#handlers[type] as Handler<Event> | undefined)?.(event));
    }
    // Messages of the persistent outbox (a page reload): announced once the caller had a chance to listen.
    const restored = this.#outbox.restore();
    if (restored.length > 0) queueMicrotask(() => this.#announce(restored));
    // Load the BLS verifier and fetch the root key while the socket connects; no message is processed before
    // both are ready. Loading never rejects (it falls back to @noble/curves).
    this.#bls = loadBlsVerifier(this.#options.blsVerifier).then((verifier) => (this.#blsInUse = verifier));
    void this.#verifier().catch(() => undefined);
    this.#connect(this.#scheduler.currentUrl);
  }

  /** `CONNECTING` (0), `OPEN` (1), `CLOSING` (2) or `CLOSED` (3), like `WebSocket.readyState`. */
  get readyState(): number {
    return READY_STATE[this.#state];
  }

  /** The named state (tells `reconnecting` apart from the first `connecting`). */
  get state(): IcWebSocketState {
    return this.#state;
  }

  /** The client key of the current session, once its handshake is done. */
  get clientKey(): ClientKey | undefined {
    return this.#session?.clientKey;
  }

  /** The gateway of the current (or next) session. */
  get gatewayUrl(): string {
    return this.#scheduler.currentUrl;
  }

  /**
   * Which BLS verifier checks certificates (`wasm` or `noble`) and, after a fallback to `noble` under the `auto`
   * preference, why; `undefined` until it is loaded (soon after construction).
   */
  get blsVerifier(): { kind: BlsVerifierKind; fallbackReason?: string } | undefined {
    const verifier = this.#blsInUse;
    if (verifier === undefined) return undefined;
    return verifier.fallbackReason === undefined ? { kind: verifier.kind } : { kind: verifier.kind, fallbackReason: verifier.fallbackReason };
  }

  /** Messages accepted by `send` that wait for a connection (`queued`). */
  get queuedCount(): number {
    return this.#outbox.waiting().length;
  }

  /** Every message not yet acknowledged or failed, in send order (messages restored after a reload first). */
  get outgoing(): readonly OutgoingMessage<T>[] {
    return this.#outbox.entries().map((entry) => entry.message);
  }

  /**
   * Whether messages are re-sent without duplicates: the canister of the last open session offered receipts
   * (ic-ws-canister does, by default). `undefined` before the first session opened.
   */
  get receipts(): boolean | undefined {
    return this.#receipts;
  }

  /** Why the last connection failed (gateway unreachable, closed with code X, verification failed, ...). */
  get lastFailure(): ConnectionFailure | undefined {
    return this.#lastFailure;
  }

  /**
   * Sends one application message and returns its {@link OutgoingMessage}: its delivery state (also reported by
   * `delivery` events) and a promise of its acknowledgement. While the connection is (re)connecting the message
   * is queued, up to `maxQueuedMessages` unacknowledged messages, and sent once a session opens.
   *
   * What happens when a connection fails with the message on the way depends on the canister: if it offers
   * receipts (ic-ws-canister does), the message is re-sent on the next connection with the same id and the
   * canister drops it if it already took it, so the app sees it exactly once; otherwise it is reported failed
   * (`DELIVERY_UNCONFIRMED`: it may or may not have arrived). With `outbox` set, it also survives a page reload.
   *
   * @throws IcWsClientError `NOT_OPEN` after `close()`, `OUTGOING_QUEUE_FULL` when the outbox is full,
   *   `CANDID_ENCODE` when `message` does not match the app message type.
   */
  send(message: T): OutgoingMessage<T> {
    if (this.#state === 'closing' || this.#state === 'closed') {
      throw new IcWsClientError(ErrorCode.NotOpen, `cannot send: the connection is ${this.#state}`);
    }
    let content: Uint8Array;
    try {
      content = IDL.encode([this.#options.appMessageIdl], [message]);
    } catch (error) {
      throw IcWsClientError.from(error, ErrorCode.CandidEncode, 'the message does not match the app message type');
    }
    const entry = this.#outbox.add(message, content);
    this.dispatchEvent(new IcWsDeliveryEvent<T>(entry.message, undefined));
    if (this.#state === 'open' && this.#session?.isOpen) this.#session.send(entry);
    return entry.message;
  }

  /**
   * Closes the connection for good: the current session ends (the gateway then calls `ws_close`), no
   * reconnection follows, queued messages are dropped, and one `close` event fires.
   */
  close(code: number = CloseCode.Normal, reason = 'closed by the application'): void {
    if (this.#state === 'closing' || this.#state === 'closed') return;
    this.#setState('closing', reason);
    this.#scheduler.cancel();
    const session = this.#session;
    if (session !== undefined) session.close(code, reason);
    else this.#finish({ code, reason, final: true });
  }

  /** Iterates over application messages until the connection closes (throwing its error if it failed). */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    return messageIterator(this);
  }

  /** Handler of `open` events. */
  get onopen(): Handler<IcWsOpenEvent> {
    return this.#handlers.open ?? null;
  }
  set onopen(handler: Handler<IcWsOpenEvent>) {
    this.#handlers.open = handler;
  }
  /** Handler of `message` events. */
  get onmessage(): Handler<IcWsMessageEvent<T>> {
    return this.#handlers.message ?? null;
  }
  set onmessage(handler: Handler<IcWsMessageEvent<T>>) {
    this.#handlers.message = handler;
  }
  /** Handler of `error` events. */
  get onerror(): Handler<IcWsErrorEvent> {
    return this.#handlers.error ?? null;
  }
  set onerror(handler: Handler<IcWsErrorEvent>) {
    this.#handlers.error = handler;
  }
  /** Handler of the `close` event. */
  get onclose(): Handler<IcWsCloseEvent> {
    return this.#handlers.close ?? null;
  }
  set onclose(handler: Handler<IcWsCloseEvent>) {
    this.#handlers.close = handler;
  }
  /** Handler of `statechange` events. */
  get onstatechange(): Handler<IcWsStateChangeEvent> {
    return this.#handlers.statechange ?? null;
  }
  set onstatechange(handler: Handler<IcWsStateChangeEvent>) {
    this.#handlers.statechange = handler;
  }
  /** Handler of `delivery` events. */
  get ondelivery(): Handler<IcWsDeliveryEvent<T>> {
    return this.#handlers.delivery ?? null;
  }
  set ondelivery(handler: Handler<IcWsDeliveryEvent<T>>) {
    this.#handlers.delivery = handler;
  }

  override addEventListener<K extends keyof IcWebSocketEventMap<T>>(
    type: K,
    listener: ((event: IcWebSocketEventMap<T>[K]) => void) | { handleEvent(event: IcWebSocketEventMap<T>[K]): void } | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void {
    super.addEventListener(type, listener, options);
  }

  override removeEventListener<K extends keyof IcWebSocketEventMap<T>>(
    type: K,
    listener: ((event: IcWebSocketEventMap<T>[K]) => void) | { handleEvent(event: IcWebSocketEventMap<T>[K]): void } | null,
    options?: boolean | EventListenerOptions,
  ): void;
  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void {
    super.removeEventListener(type, listener, options);
  }

  /** The shared certificate verifier, built once the root key is known; a failed fetch is retried next time. */
  #verifier(): Promise<CertificateVerifier> {
    this.#certificates ??= Promise.all([resolveRootKey(this.#options), this.#bls]).then(
      ([rootKey, bls]) =>
        new CertificateVerifier({
          rootKey,
          canisterId: this.#options.canisterId,
          maxAgeMs: this.#options.maxCertificateAgeMs,
          bls,
          ...(this.#options.agent === undefined ? {} : { agent: this.#options.agent }),
        }),
      (error: unknown) => {
        this.#certificates = undefined;
        throw error;
      },
    );
    return this.#certificates;
  }

  #connect(gatewayUrl: string): void {
    this.#session = new WsSession<T>({
      gatewayUrl,
      options: this.#options,
      certificates: () => this.#verifier(),
      argEncoder: this.#argEncoder,
      onOpen: (session) => this.#handleOpen(session, gatewayUrl),
      onMessage: (data, sequenceNum) => this.dispatchEvent(new IcWsMessageEvent(data, sequenceNum)),
      onRelayed: (entry) => this.#outbox.relayed(entry),
      onSettled: (entry, outcome) => this.#settle(entry, outcome),
      onEnd: (end, unsettled) => this.#handleSessionEnd(end, unsettled),
    });
  }

  #handleOpen(session: WsSession<T>, gatewayUrl: string): void {
    this.#scheduler.reset();
    this.#receipts = session.receipts;
    this.#setState('open', `session opened through ${gatewayUrl}`);
    const reconnected = this.#hasOpened;
    this.#hasOpened = true;
    for (const entry of this.#outbox.waiting()) {
      // Without receipts a re-send could be handled twice: a message that reached a gateway before (a reload)
      // is reported instead.
      if (entry.relayedBefore && !session.receipts) this.#outbox.fail(entry, unconfirmed('the canister does not drop re-sent messages'));
      else session.send(entry);
    }
    this.dispatchEvent(new IcWsOpenEvent(gatewayUrl, session.clientKey as ClientKey, reconnected));
  }

  #settle(entry: OutboxEntry<T>, outcome: DeliveryOutcome): void {
    if (outcome.kind === 'acknowledged') this.#outbox.acknowledge(entry);
    else this.#outbox.fail(entry, outcome.error);
  }

  /** Messages a failed session had not settled: re-sent when the canister drops duplicates, else reported. */
  #recover(unsettled: readonly UnsettledMessage<T>[], reason: string): void {
    for (const { entry, written, dedupable } of unsettled) {
      if (!written || dedupable) this.#outbox.requeue(entry);
      else this.#outbox.fail(entry, unconfirmed(reason));
    }
  }

  #announce(restored: readonly TrackedMessage<T>[]): void {
    for (const message of restored) this.dispatchEvent(new IcWsDeliveryEvent<T>(message, undefined));
  }

  #handleSessionEnd(end: SessionEnd, unsettled: UnsettledMessage<T>[]): void {
    this.#session = undefined;
    if (end.failure !== undefined) this.#lastFailure = end.failure;
    this.#recover(unsettled, `the connection ended (${end.reason})`);
    if (this.#state === 'closing' || end.final || !this.#options.reconnect) return this.#finish(end);
    const error = end.error as IcWsClientError;
    this.dispatchEvent(new IcWsErrorEvent(error));
    const plan = this.#scheduler.schedule((url) => this.#connect(url), end.retryAfterMs);
    if (plan === undefined) {
      const exhausted = new IcWsClientError(
        ErrorCode.ReconnectExhausted,
        `gave up after ${this.#options.reconnectMaxAttempts} reconnection attempts; last failure: ${error.message}`,
        { cause: error },
      );
      return this.#finish({ code: exhausted.closeCode, reason: closeReasonText(exhausted.closeCode), error: exhausted, final: false });
    }
    this.#setState('reconnecting', `reconnecting after: ${error.message}`, plan, error, end.failure);
  }

  #finish(end: SessionEnd): void {
    if (this.#state === 'closed') return;
    // A failure that ends the connection is also an error event, as with a WebSocket; a clean end is not.
    if (end.error !== undefined && !end.final && this.#state !== 'closing') this.dispatchEvent(new IcWsErrorEvent(end.error));
    this.#scheduler.cancel();
    this.#release(end);
    this.#setState('closed', end.reason, undefined, end.error, end.failure ?? this.#lastFailure);
    const wasClean = end.error === undefined || (end.final && end.error.code === ErrorCode.ClosedByCanister);
    this.dispatchEvent(new IcWsCloseEvent(end.code, end.reason, wasClean, end.error));
  }

  /**
   * The connection is closed for good: every message not acknowledged is reported failed. With a persistent
   * outbox they stay stored, for the next `IcWebSocket` with the same store to re-send.
   */
  #release(end: SessionEnd): void {
    const why = end.error === undefined ? 'the connection was closed' : `the connection closed for good (${end.reason})`;
    const kept = this.#options.outbox === undefined ? '' : '; it stays in the persistent outbox for the next connection';
    for (const entry of this.#outbox.entries()) {
      const error = entry.relayedBefore ? unconfirmed(`${why}${kept}`) : new IcWsClientError(ErrorCode.NotSent, `${why} before it was sent${kept}`);
      this.#outbox.release(entry, error);
    }
  }

  #setState(
    state: IcWebSocketState,
    reason: string,
    reconnect?: IcWsStateChangeEvent['reconnect'],
    error?: IcWsClientError,
    failure?: ConnectionFailure,
  ): void {
    const previous = this.#state;
    this.#state = state;
    this.dispatchEvent(new IcWsStateChangeEvent(state, previous, reason, reconnect, error, failure));
  }
}

function unconfirmed(why: string): IcWsClientError {
  return new IcWsClientError(ErrorCode.DeliveryUnconfirmed, `not acknowledged by the canister, and ${why}: it may or may not have arrived`);
}
