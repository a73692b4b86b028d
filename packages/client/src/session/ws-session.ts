import { IDL } from '@dfinity/candid';
import type { Principal } from '@dfinity/principal';
import {
  closeCodeForCloseMessageReason,
  CloseCode,
  closeReasonText,
  isCloseCode,
  decodeCanisterMessageFrame,
  decodeHandshakeFrame,
  decodeServiceMessageContent,
  encodeServiceMessageContent,
  ErrorCode,
  parseRetryAfterMs,
  type CanisterReceiptMessageContent,
  type ClientKey,
  type WebsocketMessage,
  type WebsocketServiceMessageContent,
  WS_EXTENSIONS,
} from 'ic-ws-protocol';
import { IcWsClientError } from '../client-error';
import { connectionFailureOf, type ConnectionFailure } from '../connection-failure';
import type { OutboxEntry } from '../delivery/outbox';
import type { WsMessageArgEncoder } from '../envelope/ws-call-args';
import type { ResolvedOptions } from '../resolve-options';
import { frameBytes, SOCKET_CLOSING, SOCKET_OPEN, type WebSocketLike } from '../socket/web-socket-like';
import type { CertificateVerifier } from '../verifier/certificate-verifier';
import { MessageVerifier } from '../verifier/message-verifier';
import { AckMonitor } from './ack-monitor';
import { DeliveryTracker, type DeliveryOutcome } from './delivery-tracker';
import { MessageSender } from './message-sender';

/** What a session needs from its {@link IcWebSocket}. */
export interface SessionContext<T> {
  gatewayUrl: string;
  options: ResolvedOptions<T>;
  /** The shared certificate verifier; waits for the root key (rejects when it cannot be had). */
  certificates: () => Promise<CertificateVerifier>;
  argEncoder: WsMessageArgEncoder;
  onOpen: (session: WsSession<T>) => void;
  onMessage: (data: T, sequenceNum: bigint) => void;
  /** An app message was written to the gateway. */
  onRelayed: (entry: OutboxEntry<T>) => void;
  /** The canister acknowledged an app message, or reported it failed. */
  onSettled: (entry: OutboxEntry<T>, outcome: DeliveryOutcome) => void;
  onEnd: (end: SessionEnd, unsettled: UnsettledMessage<T>[]) => void;
}

/** An app message a session took and the canister had not settled when the session ended. */
export interface UnsettledMessage<T> {
  entry: OutboxEntry<T>;
  /** Whether it reached the gateway (it may have reached the canister too). */
  written: boolean;
  /** Whether it was sent with a message id, so the canister would drop a re-send it already took. */
  dedupable: boolean;
}

/** How a session ended. */
export interface SessionEnd {
  code: number;
  reason: string;
  /** The failure, absent when the app closed. */
  error?: IcWsClientError;
  /** The app called `close()`, or the canister closed with `ClosedByApplication`: do not reconnect. */
  final: boolean;
  /**
   * The wait the gateway asked for before a reconnection: it closed with 1013 `TryAgainLater` (it is
   * overloaded) and a `retry after <ms> ms` reason.
   */
  retryAfterMs?: number;
  /** Why the session failed, when it did. */
  failure?: ConnectionFailure;
}

/** Session states; each moves only forward. */
type SessionState = 'handshake' | 'opening' | 'open' | 'ended';

/**
 * One connection through one gateway, from the socket's creation to its end: handshake, signed `ws_open`,
 * verification of every canister message (nothing unverified reaches the app), service messages, the ack
 * watchdog. A failure ends the session with a typed error and close code; reconnecting is the owner's job
 * (each reconnection is a new session with a new client nonce and sequence numbers from 1).
 */
export class WsSession<T> {
  private state: SessionState = 'handshake';
  private readonly socket: WebSocketLike;
  private readonly openTimer: unknown;
  private readonly ack: AckMonitor;
  private readonly deliveries: DeliveryTracker<OutboxEntry<T>>;
  private socketOpened = false;
  private receiptsOffered = false;
  private incoming: Promise<void> = Promise.resolve();
  private verifier: MessageVerifier | undefined;
  private sender: MessageSender | undefined;
  private key: ClientKey | undefined;

  constructor(private readonly context: SessionContext<T>) {
    const { options } = context;
    this.ack = new AckMonitor({
      timers: options.timers,
      ackIntervalMs: options.ackIntervalMs,
      marginMs: options.ackMarginMs,
      onTimeout: (error) => this.fail(error),
    });
    this.deliveries = new DeliveryTracker<OutboxEntry<T>>({
      timers: options.timers,
      ackTimeoutMs: options.ackTimeoutMs,
      onRelayed: (entry) => context.onRelayed(entry),
      onSettled: (entry, outcome) => context.onSettled(entry, outcome),
      onTimeout: (error) => this.fail(error),
    });
    this.openTimer = options.timers.setTimeout(
      () => this.fail(new IcWsClientError(ErrorCode.OpenTimeout, `no verified OpenMessage within ${options.openTimeoutMs} ms`)),
      options.openTimeoutMs,
    );
    this.socket = new options.WebSocket(context.gatewayUrl);
    this.socket.binaryType = 'arraybuffer';
    this.socket.onopen = () => {
      this.socketOpened = true;
    };
    this.socket.onmessage = (event) => this.handleFrame(event.data);
    this.socket.onclose = (event) => this.handleSocketClose(event.code, event.reason);
    // An error event is always followed by a close event, which carries the code.
    this.socket.onerror = () => undefined;
  }

  /** True once the canister's OpenMessage verified, until the session ends. */
  get isOpen(): boolean {
    return this.state === 'open';
  }

  /** This session's client key, once the handshake is done. */
  get clientKey(): ClientKey | undefined {
    return this.key;
  }

  /** Whether the canister offered receipts in its OpenMessage (ic-ws extension): messages carry ids then. */
  get receipts(): boolean {
    return this.receiptsOffered;
  }

  /** Sends one app message of the outbox; only while {@link isOpen}. */
  send(entry: OutboxEntry<T>): void {
    const sender = this.sender as MessageSender;
    const messageId = this.receiptsOffered ? entry.messageId : undefined;
    let sequenceNum = 0n;
    sequenceNum = sender.send(entry.content, false, { ...(messageId === undefined ? {} : { messageId }), onWritten: () => this.deliveries.written(sequenceNum) });
    this.deliveries.accepted(sequenceNum, entry);
  }

  /** Ends the session at the app's request (the gateway then calls `ws_close`). */
  close(code: number, reason: string): void {
    this.end({ code, reason, final: true });
  }

  // A method, not an inline comparison: the state may change across an await, which narrowing cannot see.
  private hasEnded(): boolean {
    return this.state === 'ended';
  }

  private handleFrame(data: unknown): void {
    // Verification is asynchronous; frames are processed strictly one after another, in arrival order.
    this.incoming = this.incoming.then(() => this.processFrame(data)).catch((error: unknown) => this.fail(toClientError(error)));
  }

  private async processFrame(data: unknown): Promise<void> {
    if (this.state === 'ended') return;
    const bytes = frameBytes(data);
    if (this.state === 'handshake') return this.processHandshake(bytes);
    if (bytes === undefined) throw new IcWsClientError(ErrorCode.InvalidCanisterMessage, 'the gateway sent a non-binary frame');
    let frame;
    try {
      frame = decodeCanisterMessageFrame(bytes);
    } catch (error) {
      throw IcWsClientError.from(error, ErrorCode.InvalidCanisterMessage, 'malformed canister message frame');
    }
    const message = await (this.verifier as MessageVerifier).verify(frame);
    if (this.hasEnded()) return;
    if (message.is_service_message) this.handleServiceMessage(message);
    else this.handleAppMessage(message);
  }

  private async processHandshake(bytes: Uint8Array | undefined): Promise<void> {
    let gatewayPrincipal: Principal;
    try {
      if (bytes === undefined) throw new TypeError('not a binary frame');
      gatewayPrincipal = decodeHandshakeFrame(bytes).gateway_principal;
    } catch (error) {
      throw IcWsClientError.from(error, ErrorCode.HandshakeInvalid, 'invalid handshake frame');
    }
    this.state = 'opening';
    const { options } = this.context;
    const clientKey: ClientKey = { client_principal: options.identity.getPrincipal(), client_nonce: randomNonce() };
    // Wait for the root key before anything certified can arrive: messages are never processed without it.
    const certificates = await this.context.certificates();
    if (this.hasEnded()) return;
    this.key = clientKey;
    this.verifier = new MessageVerifier({ certificates, clientKey, gatewayPrincipal });
    this.sender = new MessageSender({
      identity: options.identity,
      canisterId: options.canisterId,
      clientKey,
      argEncoder: this.context.argEncoder,
      write: (frame) => this.write(frame),
      onError: (error) => this.fail(error),
      clockOffsetMs: () => options.agent?.getTimeDiffMsecs() ?? 0,
    });
    this.sender.sendOpen(gatewayPrincipal);
  }

  private handleServiceMessage(message: WebsocketMessage): void {
    let content: WebsocketServiceMessageContent;
    try {
      content = decodeServiceMessageContent(message.content);
    } catch (error) {
      throw IcWsClientError.from(error, ErrorCode.InvalidCanisterMessage, 'invalid service message');
    }
    if ('OpenMessage' in content && this.state === 'opening') {
      return this.open(content.OpenMessage.extensions?.[0]?.includes(WS_EXTENSIONS.receipts) === true);
    }
    if ('AckMessage' in content && this.state === 'open') return this.acknowledge(content.AckMessage.last_incoming_sequence_num);
    if ('ReceiptMessage' in content && this.state === 'open') return this.receipt(content.ReceiptMessage);
    if ('CloseMessage' in content) {
      const reason = content.CloseMessage.reason;
      const code = closeCodeForCloseMessageReason(reason);
      const error = new IcWsClientError(ErrorCode.ClosedByCanister, closeReasonText(code), { closeCode: code });
      return this.end({ code, reason: closeReasonText(code), error, final: 'ClosedByApplication' in reason });
    }
    throw new IcWsClientError(ErrorCode.InvalidCanisterMessage, `unexpected ${Object.keys(content)[0]} in state ${this.state}`);
  }

  private open(receipts: boolean): void {
    // The verifier already checked the message's client key; the OpenMessage is sequence 1 by construction.
    this.context.options.timers.clearTimeout(this.openTimer);
    this.receiptsOffered = receipts;
    this.deliveries.useReceipts(receipts);
    this.state = 'open';
    this.ack.start();
    this.context.onOpen(this);
  }

  private acknowledge(acknowledged: bigint): void {
    const sender = this.sender as MessageSender;
    this.ack.acknowledge(acknowledged, sender.sentSequenceNum);
    this.deliveries.ack(acknowledged);
    const lastIncoming = (this.verifier as MessageVerifier).lastSequenceNum;
    sender.send(encodeServiceMessageContent({ KeepAliveMessage: { last_incoming_sequence_num: lastIncoming } }), true);
  }

  private receipt(receipt: CanisterReceiptMessageContent): void {
    const sent = (this.sender as MessageSender).sentSequenceNum;
    if (receipt.sequence_num > sent) {
      throw new IcWsClientError(ErrorCode.AckAboveSent, `a receipt for message ${receipt.sequence_num}, the client sent ${sent}`);
    }
    this.deliveries.receipt(receipt.sequence_num, receipt.outcome);
  }

  private handleAppMessage(message: WebsocketMessage): void {
    if (this.state !== 'open') throw new IcWsClientError(ErrorCode.InvalidCanisterMessage, 'an app message arrived before the OpenMessage');
    let values: unknown[];
    try {
      values = IDL.decode([this.context.options.appMessageIdl], message.content);
    } catch (error) {
      throw IcWsClientError.from(error, ErrorCode.InvalidCanisterMessage, 'the app message does not decode as the app message type');
    }
    if (values.length !== 1) throw new IcWsClientError(ErrorCode.InvalidCanisterMessage, `the app message holds ${values.length} values`);
    this.context.onMessage(values[0] as T, message.sequence_num);
  }

  private write(frame: Uint8Array): void {
    // The gateway (or the network) is closing the socket: its close event ends the session with the
    // gateway's own code. Failing here instead would report an internal error (1011) for what is a 1001.
    if (this.socket.readyState >= SOCKET_CLOSING) return;
    if (this.socket.readyState !== SOCKET_OPEN) throw new IcWsClientError(ErrorCode.ConnectionLost, 'the socket is not open');
    this.socket.send(frame);
  }

  private handleSocketClose(code: number, reason: string): void {
    // A close without a reason (the gateway's WebSocket library refusing a frame over its limit sends 1009
    // bare) still says what its code means.
    const why = reason || (isCloseCode(code) ? closeReasonText(code) : '');
    const detail = `the gateway closed the connection (${code}${why ? `: ${why}` : ''})`;
    const error = new IcWsClientError(ErrorCode.ConnectionLost, detail, { closeCode: code });
    const retryAfterMs = code === CloseCode.TryAgainLater ? parseRetryAfterMs(reason) : undefined;
    this.end({ code: error.closeCode, reason: error.message, error, final: false, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
  }

  private fail(error: IcWsClientError): void {
    this.end({ code: error.closeCode, reason: error.message, error, final: false });
  }

  private failureOf(end: SessionEnd): SessionEnd {
    if (end.error === undefined || end.final) return end;
    return { ...end, failure: connectionFailureOf(end.error, this.context.gatewayUrl, this.socketOpened) };
  }

  private end(end: SessionEnd): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.context.options.timers.clearTimeout(this.openTimer);
    this.ack.stop();
    this.sender?.stop();
    const unsettled = this.deliveries.stop().map(({ entry, written }) => ({ entry, written, dedupable: this.receiptsOffered }));
    this.socket.onopen = null;
    this.socket.onmessage = null;
    this.socket.onclose = null;
    closeSocket(this.socket, end.code);
    this.context.onEnd(this.failureOf(end), unsettled);
  }
}

function toClientError(error: unknown): IcWsClientError {
  return IcWsClientError.from(error, ErrorCode.InvalidCanisterMessage, 'canister message rejected');
}

/** A random 64-bit client nonce: with it, the client key is unguessable and unique per connection. */
function randomNonce(): bigint {
  return globalThis.crypto.getRandomValues(new BigUint64Array(1))[0] as bigint;
}

// Browsers only let a script send 1000 or 3000-4999; anything else is reported to the app, not sent.
// close() is allowed in every state (while connecting it aborts the handshake; once closed it does nothing).
function closeSocket(socket: WebSocketLike, code: number): void {
  if (code === CloseCode.Normal || (code >= 3000 && code <= 4999)) socket.close(code, closeReasonText(code));
  else socket.close();
}
