import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { CloseCode, closeReasonText, retryAfterReason } from 'ic-ws-protocol';
import type { OverloadReason } from '../flow/load-monitor';
import type { HostPort } from '../options/host-port';
import type { GatewayMetrics } from '../observability/gateway-metrics';
import type { Session } from '../session/session';
import type { SessionSocket } from '../session/session-ports';
import { ConnectionTracker } from './connection-tracker';
import { closeServer, listen, urlOf } from './listen';
import { WsSessionSocket } from './ws-session-socket';

/** Options of {@link startWebsocketListener}. */
export interface WebsocketListenerOptions {
  listen: HostPort;
  /** PEM contents; `null` for plain ws://. */
  tls: { cert: string; key: string } | null;
  /** Sockets held at once, upgraded or not (already capped by the descriptor limit). */
  maxConnections: number;
  /** Sockets from one IP address at once; 0 for no limit. */
  maxConnectionsPerIp: number;
  /** Time from accepting a connection to the end of its WebSocket upgrade. */
  upgradeTimeoutMs: number;
  maxPayload: number;
  pingIntervalMs: number;
  /** Why new sessions should be refused now (they get close 1013 with a retry hint), or `null`. */
  overloadReason(): OverloadReason | null;
  /** The wait, in ms, suggested to clients that are refused. */
  retryAfterMs: number;
  /** Builds (and starts) the session of a new connection. */
  createSession(socket: SessionSocket): Session;
  metrics: GatewayMetrics;
  log: Logger;
}

/** A running WebSocket listener. */
export interface WebsocketListener {
  url: string;
  /** Sessions not yet finished: live, or closed with their `ws_close` still in flight. */
  readonly sessions: ReadonlySet<Session>;
  /** Refuses new connections from now on and stops listening (open connections stay). */
  stopAccepting(): void;
  /** Drops every remaining connection without a close handshake; resolves once the server is fully closed. */
  terminateAll(): Promise<void>;
}

/**
 * The transport side of the gateway: an HTTP(S) server that upgrades to `ws`, enforces the connection,
 * per-IP, upgrade-time and frame limits, refuses new sessions while the gateway is overloaded, pings for
 * dead peers, and turns socket events (bytes, frames, close) into calls on each connection's session.
 */
export async function startWebsocketListener(options: WebsocketListenerOptions): Promise<WebsocketListener> {
  const { metrics, log } = options;
  const timeouts = { headersTimeout: options.upgradeTimeoutMs, requestTimeout: options.upgradeTimeoutMs, connectionsCheckingInterval: 1_000 };
  const server: Server = options.tls
    ? createHttpsServer({ ...options.tls, ...timeouts, handshakeTimeout: options.upgradeTimeoutMs })
    : createHttpServer(timeouts);
  server.keepAliveTimeout = 1_000;
  // Sockets answered 503 as they connected: a request the client sent meanwhile is not served.
  const refused = new WeakSet<object>();
  server.on('request', (req, res) => {
    if (refused.has(req.socket)) return void req.socket.destroy();
    res.writeHead(426, { 'content-type': 'text/plain', connection: 'close' }).end('ic-ws-gateway: WebSocket upgrade required\n');
  });
  // Without a listener an accept error (EMFILE: out of descriptors) would be thrown and kill the process.
  server.on('error', (error) => log.error({ err: error.message }, 'WebSocket server error'));
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayload, clientTracking: false });
  const sockets = new Set<WebSocket>();
  const sessions = new Set<Session>();
  let accepting = true;
  const retryAfterSeconds = String(Math.max(1, Math.ceil(options.retryAfterMs / 1000)));
  const tracker = new ConnectionTracker(
    { maxSockets: options.maxConnections, maxPerIp: options.maxConnectionsPerIp, upgradeTimeoutMs: options.upgradeTimeoutMs },
    () => metrics.connectionsRefused.inc({ reason: 'upgrade_timeout' }),
  );

  // Shared by every socket (no closure per connection), and removed once `ws` owns the socket (it handles
  // its errors from then on).
  const onSocketErrorBeforeUpgrade = (error: Error) => log.debug({ err: error.message }, 'client socket error before upgrade');
  server.on('connection', (socket: Socket) => {
    socket.on('error', onSocketErrorBeforeUpgrade);
    if (!accepting) return void socket.destroy();
    const admission = tracker.admit(socket);
    if (admission.admitted) {
      if (admission.evicted) metrics.connectionsRefused.inc({ reason: 'evicted' });
      return;
    }
    metrics.connectionsRefused.inc({ reason: admission.reason });
    if (options.tls) return void socket.destroy();
    refused.add(socket);
    socket.end(`HTTP/1.1 503 Service Unavailable\r\nRetry-After: ${retryAfterSeconds}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    socket.destroySoon();
  });

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // With TLS this is the TLS socket over the raw one (which has its own listener); without, the same socket.
    if (!socket.listeners('error').includes(onSocketErrorBeforeUpgrade)) socket.on('error', onSocketErrorBeforeUpgrade);
    if (refused.has(socket)) return void socket.destroy();
    tracker.upgraded(socket as Socket);
    if (!accepting) {
      metrics.connectionsRefused.inc({ reason: 'draining' });
      socket.end(`HTTP/1.1 503 Service Unavailable\r\nRetry-After: ${retryAfterSeconds}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    const overload = options.overloadReason();
    if (overload !== null) {
      // A browser cannot read an HTTP error of a failed upgrade; a close frame with a reason it can.
      metrics.connectionsRefused.inc({ reason: overload });
      wss.handleUpgrade(request, socket, head, (ws) => ws.close(CloseCode.TryAgainLater, retryAfterReason(options.retryAfterMs)));
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => onConnection(ws, socket));
  });

  // The listeners below are shared by every connection (EventEmitter calls them with the socket as `this`,
  // which carries its session): no closures per connection, of which a gateway holds many thousands.
  function onPong(this: WebSocket, data: Buffer): void {
    (this as TaggedWebSocket)[ALIVE] = true;
    sessionOf(this).handleControlFrame(data.length);
  }
  function onError(this: WebSocket, error: Error & { code?: string }): void {
    // ws has already sent 1009 for an oversize frame; record the same reason on the session.
    if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
      void sessionOf(this).close({ code: CloseCode.MessageTooBig, reason: closeReasonText(CloseCode.MessageTooBig) });
    } else {
      void sessionOf(this).close({ code: CloseCode.PolicyViolation, reason: closeReasonText(CloseCode.PolicyViolation) });
    }
    log.debug({ err: error.message, code: error.code }, 'client socket error');
  }
  function onClose(this: WebSocket, code: number): void {
    const session = sessionOf(this);
    sockets.delete(this);
    metrics.connections.dec();
    session.handleSocketClosed(code);
    // Keep the session listed until its ws_close finished, so a drain waits for it too.
    void (session.ended ?? Promise.resolve()).then(() => sessions.delete(session));
  }

  function onConnection(ws: WebSocket, raw: Duplex): void {
    raw.removeListener('error', onSocketErrorBeforeUpgrade);
    sockets.add(ws);
    (ws as TaggedWebSocket)[ALIVE] = true;
    metrics.connections.inc();
    metrics.connectionsTotal.inc();
    metrics.sessions.inc({ state: 'awaiting_open' });
    const session = options.createSession(new WsSessionSocket(ws));
    sessions.add(session);
    (ws as TaggedWebSocket)[SESSION] = session;
    (raw as TaggedDuplex)[SESSION] = session;
    // Counted before the parser buffers them: the bytes of a frame in progress are memory the client holds.
    // Ahead of ws's own listener (added at the upgrade), so a chunk is counted before the frames parsed from
    // it are taken out: a session that holds nothing then counts nothing (and keeps no flow state).
    raw.prependListener('data', onRawData);
    ws.on('pong', onPong);
    ws.on('ping', onPing);
    ws.on('message', onMessage);
    ws.on('error', onError);
    ws.on('close', onClose);
    session.start();
  }

  const heartbeat = setInterval(() => {
    for (const ws of sockets as Set<TaggedWebSocket>) {
      // A socket paused by flow control cannot read the pong: it is not dead, only waiting for the IC.
      if (ws.isPaused) {
        ws[ALIVE] = true;
        continue;
      }
      if (!ws[ALIVE]) {
        ws.terminate();
        continue;
      }
      ws[ALIVE] = false;
      ws.ping();
    }
  }, options.pingIntervalMs);
  heartbeat.unref();

  const address = await listen(server, options.listen, { what: 'WebSocket server', setting: '--listen (IC_WS_LISTEN)' }).catch((error: unknown) => {
    clearInterval(heartbeat);
    throw error;
  });
  let serverClosed: Promise<void> | undefined;
  const stopAccepting = () => {
    accepting = false;
    clearInterval(heartbeat);
    // close() stops listening at once, but its callback waits for every connection, upgraded ones included.
    serverClosed ??= closeServer(server);
    server.closeIdleConnections();
  };
  return {
    url: urlOf(options.tls ? 'wss' : 'ws', address),
    sessions,
    stopAccepting,
    async terminateAll() {
      stopAccepting();
      tracker.destroyWaiting();
      for (const ws of sockets) ws.terminate();
      server.closeAllConnections();
      await serverClosed;
    },
  };
}

const SESSION = Symbol('ic-ws session');
// Whether the socket answered (or could not read) the last ping: a flag on the socket, not a set of sockets.
const ALIVE = Symbol('ic-ws alive');
type TaggedWebSocket = WebSocket & { [SESSION]: Session; [ALIVE]: boolean };
type TaggedDuplex = Duplex & { [SESSION]: Session };

/** The session a socket (the WebSocket or its raw TCP socket) was tagged with at the upgrade. */
function sessionOf(socket: WebSocket | Duplex): Session {
  return (socket as TaggedWebSocket | TaggedDuplex)[SESSION];
}

function onRawData(this: Duplex, chunk: Buffer): void {
  sessionOf(this).handleBytesReceived(chunk.length);
}

function onPing(this: WebSocket, data: Buffer): void {
  sessionOf(this).handleControlFrame(data.length);
}

function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  sessionOf(this).handleFrame(toBytes(data), isBinary);
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}
