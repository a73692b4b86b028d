/**
 * A man in the middle for client integration tests: a real `ws` server on 127.0.0.1 (port 0) that sits
 * between IcWebSocket and a real gateway. It relays both ways and hands every canister message frame to a
 * per-proxy `rule`, which decides what the client gets instead: the frame, a tampered copy, nothing, frames
 * held back from earlier, or frames taken from another client's connection. By default it relays faithfully
 * and only records, which is also how tests watch acks and keep-alives go by.
 */
import {
  CanisterWsMessageArgumentsIdl,
  decodeCanisterMessageFrame,
  decodeClientRequestFrame,
  decodeServiceMessageContent,
  decodeWebsocketMessage,
  encodeCanisterMessageFrame,
  type CanisterMessageFrame,
  type WebsocketMessage,
  type WebsocketServiceMessageContent,
} from 'ic-ws-protocol';
import { IDL } from '@dfinity/candid';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { AsyncQueue } from './async-queue';
import { withDeadline } from './client-recorder';

/** A canister message frame with its content decoded, as the proxy saw it come from the gateway. */
export interface ObservedFrame {
  frame: CanisterMessageFrame;
  message: WebsocketMessage;
  /** The decoded service message, when `message.is_service_message`. */
  service?: WebsocketServiceMessageContent;
}

/** A client call as the proxy saw it go to the gateway. */
export interface ObservedCall {
  method: string;
  /** For `ws_message`: the WebsocketMessage it carries. */
  message?: WebsocketMessage;
  service?: WebsocketServiceMessageContent;
}

/** What the client gets for one gateway frame: the frames to deliver, in order (empty: drop it). */
export type FrameRule = (observed: ObservedFrame, link: ProxiedLink) => readonly CanisterMessageFrame[];
/** Whether a client call goes on to the gateway (false: the proxy swallows it). */
export type CallRule = (call: ObservedCall, link: ProxiedLink) => boolean;

/** One client connection through the proxy, and its upstream connection to the gateway. */
export class ProxiedLink {
  /** Canister frames that came from the gateway (after the handshake), before any rule. */
  readonly fromGateway: ObservedFrame[] = [];
  /** Client calls, whether relayed or swallowed. */
  readonly fromClient: ObservedCall[] = [];
  /** Frames taken from `fromGateway` as they come. */
  readonly gatewayFrames = new AsyncQueue<ObservedFrame>();
  /** Calls taken from `fromClient` as they come. */
  readonly clientCalls = new AsyncQueue<ObservedCall>();
  readonly #pendingUpstream: RawData[] = [];
  #handshakeSeen = false;

  constructor(
    readonly index: number,
    private readonly client: WebSocket,
    private readonly upstream: WebSocket,
    private readonly proxy: HostileProxy,
  ) {
    upstream.on('open', () => {
      for (const data of this.#pendingUpstream.splice(0)) upstream.send(data);
    });
    upstream.on('message', (data) => this.handleGatewayFrame(data));
    client.on('message', (data) => this.handleClientFrame(data));
    upstream.on('close', (code) => closeWith(client, code));
    client.on('close', (code) => closeWith(upstream, code));
    upstream.on('error', () => client.terminate());
    client.on('error', () => upstream.terminate());
  }

  /** Sends a canister message frame to the client, as if the gateway had sent it. */
  deliver(frame: CanisterMessageFrame): void {
    if (this.client.readyState === WebSocket.OPEN) this.client.send(encodeCanisterMessageFrame(frame));
  }

  /** The next frame from the gateway that `accept` picks (frames already seen count), within a deadline. */
  async waitForGatewayFrame(accept: (observed: ObservedFrame) => boolean, what: string): Promise<ObservedFrame> {
    return withDeadline(takeUntil(this.gatewayFrames, accept), what);
  }

  /** The next client call that `accept` picks, within a deadline. */
  async waitForClientCall(accept: (call: ObservedCall) => boolean, what: string): Promise<ObservedCall> {
    return withDeadline(takeUntil(this.clientCalls, accept), what);
  }

  private handleGatewayFrame(data: RawData): void {
    const bytes = toBytes(data);
    if (!this.#handshakeSeen) {
      this.#handshakeSeen = true;
      this.client.send(bytes);
      return;
    }
    const frame = decodeCanisterMessageFrame(bytes);
    const message = decodeWebsocketMessage(frame.content);
    const observed: ObservedFrame = message.is_service_message
      ? { frame, message, service: decodeServiceMessageContent(message.content) }
      : { frame, message };
    this.fromGateway.push(observed);
    this.gatewayFrames.push(observed);
    for (const out of this.proxy.rule(observed, this)) this.deliver(out);
  }

  private handleClientFrame(data: RawData): void {
    const call = observeCall(toBytes(data));
    this.fromClient.push(call);
    this.clientCalls.push(call);
    if (!this.proxy.callRule(call, this)) return;
    if (this.upstream.readyState === WebSocket.OPEN) this.upstream.send(data);
    else this.#pendingUpstream.push(data);
  }
}

/** The proxy server. `rule` and `callRule` may be replaced at any time (per test case). */
export class HostileProxy {
  readonly links: ProxiedLink[] = [];
  /** Links as clients connect. */
  readonly connections = new AsyncQueue<ProxiedLink>();
  rule: FrameRule = (observed) => [observed.frame];
  callRule: CallRule = () => true;

  private constructor(
    private readonly server: WebSocketServer,
    readonly url: string,
    private readonly upstreamUrl: string,
  ) {
    server.on('connection', (client) => {
      const link = new ProxiedLink(this.links.length, client, new WebSocket(this.upstreamUrl), this);
      this.links.push(link);
      this.connections.push(link);
    });
  }

  /** Starts a proxy in front of the gateway at `upstreamUrl`. */
  static async start(upstreamUrl: string): Promise<HostileProxy> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    const { port } = server.address() as { port: number };
    return new HostileProxy(server, `ws://127.0.0.1:${port}`, upstreamUrl);
  }

  /** The next link to connect, within a deadline. */
  nextConnection(): Promise<ProxiedLink> {
    return withDeadline(this.connections.next(), 'a client connection to the proxy');
  }

  async close(): Promise<void> {
    for (const client of this.server.clients) client.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function observeCall(bytes: Uint8Array): ObservedCall {
  const { envelope } = decodeClientRequestFrame(bytes);
  const method = envelope.content.method_name;
  if (method !== 'ws_message') return { method };
  // Candid lets a reader skip trailing arguments: the second one (opt AppMessage) is always empty anyway.
  const [args] = IDL.decode([CanisterWsMessageArgumentsIdl], envelope.content.arg) as unknown as [
    { msg: WebsocketMessage },
  ];
  const message = args.msg;
  return message.is_service_message ? { method, message, service: decodeServiceMessageContent(message.content) } : { method, message };
}

async function takeUntil<V>(queue: AsyncQueue<V>, accept: (value: V) => boolean): Promise<V> {
  for (;;) {
    const value = await queue.next();
    if (accept(value)) return value;
  }
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

// Codes a peer may send on: the standard 1000-1003/1007-1011 and the application range; 1005/1006 are
// reports of "no code" / "abnormal", never sent.
function closeWith(socket: WebSocket, code: number): void {
  if (socket.readyState === WebSocket.CLOSED || socket.readyState === WebSocket.CLOSING) return;
  if (socket.readyState === WebSocket.CONNECTING) return socket.terminate();
  const sendable = code === 1000 || (code >= 1001 && code <= 1003) || (code >= 1007 && code <= 1011) || (code >= 3000 && code <= 4999);
  if (sendable) socket.close(code);
  else socket.close();
}
