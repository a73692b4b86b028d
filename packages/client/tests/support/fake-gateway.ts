/**
 * A fake IC WebSocket gateway for client tests: a real `ws` server on 127.0.0.1 (port 0) that speaks the
 * gateway <-> client frames (handshake, client requests, canister messages). It plays the canister too:
 * each session's frames come from a {@link FakeCanisterOutbox} certified by a test subnet, so the client
 * verifies them for real. Tests drive it step by step (`nextRequest`, `open`, `sendApp`, ...), never by sleeping.
 */
import { IDL } from '@dfinity/candid';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import type { Principal } from '@dfinity/principal';
import {
  CanisterWsOpenArgumentsIdl,
  decodeClientRequestFrame,
  decodeServiceMessageContent,
  encodeCanisterMessageFrame,
  encodeHandshakeFrame,
  wsServiceMethods,
  type CanisterMessageFrame,
  type CanisterWsMessageArguments,
  type ClientKey,
  type ClientMessageId,
  type ReceiptOutcome,
  type SignedCallEnvelope,
  type WebsocketMessage,
  type WebsocketServiceMessageContent,
} from 'ic-ws-protocol';
import { WebSocketServer, type WebSocket } from 'ws';
import { AsyncQueue } from './async-queue';
import { FakeCanisterOutbox, type BatchOptions, type TestSubnet } from './fake-canister';

/** One relayed client call, decoded. */
export interface RelayedCall {
  envelope: SignedCallEnvelope;
  method: string;
  /** For ws_message: the WebsocketMessage. */
  message?: WebsocketMessage;
  /** For ws_message: the message id sent along (receipts extension), if any. */
  messageId?: ClientMessageId;
  /** For ws_open: its arguments. */
  open?: { client_nonce: bigint; gateway_principal: Principal };
}

/** One client connection as the gateway sees it. */
export class FakeGatewaySession {
  /** Client calls in arrival order. */
  readonly calls = new AsyncQueue<RelayedCall>();
  /** Resolves with the close code the client sent. */
  readonly closed: Promise<{ code: number; reason: string }>;
  clientKey: ClientKey | undefined;
  private sequenceNum = 0n;

  constructor(
    readonly socket: WebSocket,
    readonly outbox: FakeCanisterOutbox,
    private readonly appIdl: IDL.Type,
    /** Whether the OpenMessage offers receipts (the ic-ws extension). */
    private readonly receipts: boolean,
  ) {
    this.closed = new Promise((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    socket.on('message', (data: Buffer) => this.calls.push(this.decode(new Uint8Array(data))));
  }

  private decode(bytes: Uint8Array): RelayedCall {
    const { envelope } = decodeClientRequestFrame(bytes);
    const method = envelope.content.method_name;
    if (method === 'ws_open') {
      const [open] = IDL.decode([CanisterWsOpenArgumentsIdl], envelope.content.arg) as unknown as [RelayedCall['open']];
      this.clientKey = { client_principal: envelope.content.sender, client_nonce: open!.client_nonce };
      return { envelope, method, open };
    }
    const [args] = IDL.decode(wsServiceMethods(this.appIdl).ws_message.argTypes, envelope.content.arg) as unknown as [CanisterWsMessageArguments];
    const messageId = args.message_id?.[0];
    return { envelope, method, message: args.msg, ...(messageId === undefined ? {} : { messageId }) };
  }

  /** Waits for ws_open and answers with the canister's certified OpenMessage (sequence 1). */
  async open(): Promise<RelayedCall> {
    const call = await this.calls.next();
    if (call.method !== 'ws_open') throw new Error(`expected ws_open, got ${call.method}`);
    this.sendService({ OpenMessage: { client_key: this.clientKey!, extensions: this.receipts ? [['receipts']] : [] } });
    return call;
  }

  /** Queues, certifies and sends the canister's receipt for client message `sequenceNum`. */
  sendReceipt(sequenceNum: bigint, outcome: ReceiptOutcome = { Delivered: null }): void {
    this.sendService({ ReceiptMessage: { sequence_num: sequenceNum, outcome } });
  }

  /** Queues, certifies and sends one service message with the next sequence number. */
  sendService(content: WebsocketServiceMessageContent, options?: BatchOptions): void {
    this.sendFrames(this.outbox.batch([this.outbox.queueService(this.clientKey!, ++this.sequenceNum, content)], options));
  }

  /** Queues, certifies and sends app messages, in one batch (one certificate). */
  sendApp(values: readonly unknown[], options?: BatchOptions): void {
    const keys = values.map((value) => this.outbox.queueApp(this.clientKey!, ++this.sequenceNum, this.appIdl, value));
    this.sendFrames(this.outbox.batch(keys, options));
  }

  /** Certified frames for app messages without sending them (to tamper with first). */
  certifyApp(values: readonly unknown[]): CanisterMessageFrame[] {
    const keys = values.map((value) => this.outbox.queueApp(this.clientKey!, ++this.sequenceNum, this.appIdl, value));
    return this.outbox.batch(keys);
  }

  sendFrames(frames: readonly CanisterMessageFrame[]): void {
    for (const frame of frames) this.socket.send(encodeCanisterMessageFrame(frame));
  }

  /** The next ws_message call, decoded; service messages come with their decoded content. */
  async nextMessage(): Promise<WebsocketMessage & { service?: WebsocketServiceMessageContent; messageId?: ClientMessageId }> {
    const call = await this.calls.next();
    if (call.method !== 'ws_message') throw new Error(`expected ws_message, got ${call.method}`);
    const message = { ...call.message!, ...(call.messageId === undefined ? {} : { messageId: call.messageId }) };
    return message.is_service_message ? { ...message, service: decodeServiceMessageContent(message.content) } : message;
  }
}

/** Options of {@link FakeGateway.start}. */
export interface FakeGatewayOptions {
  subnet: TestSubnet;
  canisterId: Principal;
  appIdl: IDL.Type;
  /** Send no handshake (to test the client's open timeout), or junk instead of it. */
  handshake?: 'none' | 'junk';
  /** Offer receipts in OpenMessages, as ic-ws-canister does. @default false (as the public canister library) */
  receipts?: boolean;
}

/** The fake gateway server. */
export class FakeGateway {
  readonly sessions = new AsyncQueue<FakeGatewaySession>();
  readonly principal: Principal = Ed25519KeyIdentity.generate().getPrincipal();
  /** Key nonces are per gateway, across its sessions, as in the canister. */
  readonly outbox: FakeCanisterOutbox;

  private constructor(
    private readonly server: WebSocketServer,
    readonly url: string,
    options: FakeGatewayOptions,
  ) {
    this.outbox = new FakeCanisterOutbox(options.subnet, options.canisterId, this.principal);
    server.on('connection', (socket) => {
      if (options.handshake === 'junk') socket.send(Uint8Array.of(0xff, 0x00));
      else if (options.handshake !== 'none') socket.send(encodeHandshakeFrame({ gateway_principal: this.principal }));
      this.sessions.push(new FakeGatewaySession(socket, this.outbox, options.appIdl, options.receipts ?? false));
    });
  }

  static async start(options: FakeGatewayOptions): Promise<FakeGateway> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    const { port } = server.address() as { port: number };
    return new FakeGateway(server, `ws://127.0.0.1:${port}`, options);
  }

  /** Stops listening and drops every connection. */
  async stop(): Promise<void> {
    for (const client of this.server.clients) client.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
