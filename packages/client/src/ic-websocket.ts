import { IDL } from '@dfinity/candid';
import type { Principal } from '@dfinity/principal';
import { CloseCode, closeReasonText, ErrorCode, type ClientKey } from 'ic-ws-protocol';
import { IcWsClientError } from './client-error';
import { WsMessageArgEncoder } from './envelope/ws-call-args';
import {
  IcWsCloseEvent,
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
import { OutgoingQueue } from './session/outgoing-queue';
import { WsSession, type SessionEnd } from './session/ws-session';
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
  readonly #queue: OutgoingQueue<Uint8Array>;
  readonly #scheduler: ReconnectScheduler;
  readonly #argEncoder: WsMessageArgEncoder;
  readonly #handlers: { [K in keyof IcWebSocketEventMap<T>]?: Handler<IcWebSocketEventMap<T>[K]> } = {};
  #state: IcWebSocketState = 'connecting';
  #session: WsSession<T> | undefined;
  #certificates: Promise<CertificateVerifier> | undefined;
  readonly #bls: Promise<BlsVerifier>;
  #blsInUse: BlsVerifier | undefined;
  #hasOpened = false;

  /** @throws IcWsClientError `INVALID_OPTIONS` for missing or contradictory options. */
  constructor(options: IcWebSocketOptions<T>) {
    super();
    this.#options = resolveOptions(options);
    this.canisterId = this.#options.canisterId;
    this.#queue = new OutgoingQueue(this.#options.maxQueuedMessages);
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
    for (const type of ['open', 'message', 'error', 'close', 'statechange'] as const) {
      super.addEventListener(type, (event) => (this.#handlers[type] as Handler<Event> | undefined)?.(event));
    }
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

  /** Messages accepted by `send` and not yet handed to a session. */
  get queuedCount(): number {
    return this.#queue.size;
  }

  /**
   * Sends one application message. While the connection is (re)connecting it is queued, up to
   * `maxQueuedMessages`, and sent once a session opens. Delivery is at most once: messages handed to a
   * session that then fails are not resent.
   *
   * @throws IcWsClientError `NOT_OPEN` after `close()`, `OUTGOING_QUEUE_FULL` when the queue is full,
   *   `CANDID_ENCODE` when `message` does not match the app message type.
   */
  send(message: T): void {
    if (this.#state === 'closing' || this.#state === 'closed') {
      throw new IcWsClientError(ErrorCode.NotOpen, `cannot send: the connection is ${this.#state}`);
    }
    let content: Uint8Array;
    try {
      content = IDL.encode([this.#options.appMessageIdl], [message]);
    } catch (error) {
      throw IcWsClientError.from(error, ErrorCode.CandidEncode, 'the message does not match the app message type');
    }
    if (this.#state === 'open' && this.#session?.isOpen) this.#session.send(content);
    else this.#queue.push(content);
  }

  /**
   * Closes the connection for good: the current session ends (the gateway then calls `ws_close`), no
   * reconnection follows, queued messages are dropped, and one `close` event fires.
   */
  close(code: number = CloseCode.Normal, reason = 'closed by the application'): void {
    if (this.#state === 'closing' || this.#state === 'closed') return;
    this.#setState('closing', reason);
    this.#scheduler.cancel();
    this.#queue.drain();
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
      onEnd: (end) => this.#handleSessionEnd(end),
    });
  }

  #handleOpen(session: WsSession<T>, gatewayUrl: string): void {
    this.#scheduler.reset();
    this.#setState('open', `session opened through ${gatewayUrl}`);
    const reconnected = this.#hasOpened;
    this.#hasOpened = true;
    for (const content of this.#queue.drain()) session.send(content);
    this.dispatchEvent(new IcWsOpenEvent(gatewayUrl, session.clientKey as ClientKey, reconnected));
  }

  #handleSessionEnd(end: SessionEnd): void {
    this.#session = undefined;
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
    this.#setState('reconnecting', `reconnecting after: ${error.message}`, plan, error);
  }

  #finish(end: SessionEnd): void {
    if (this.#state === 'closed') return;
    // A failure that ends the connection is also an error event, as with a WebSocket; a clean end is not.
    if (end.error !== undefined && !end.final && this.#state !== 'closing') this.dispatchEvent(new IcWsErrorEvent(end.error));
    this.#scheduler.cancel();
    this.#queue.drain();
    this.#setState('closed', end.reason, undefined, end.error);
    const wasClean = end.error === undefined || (end.final && end.error.code === ErrorCode.ClosedByCanister);
    this.dispatchEvent(new IcWsCloseEvent(end.code, end.reason, wasClean, end.error));
  }

  #setState(state: IcWebSocketState, reason: string, reconnect?: IcWsStateChangeEvent['reconnect'], error?: IcWsClientError): void {
    const previous = this.#state;
    this.#state = state;
    this.dispatchEvent(new IcWsStateChangeEvent(state, previous, reason, reconnect, error));
  }
}
