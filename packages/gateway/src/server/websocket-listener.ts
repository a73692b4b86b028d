import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { CloseCode, closeReasonText } from 'ic-ws-protocol';
import type { HostPort } from '../options/host-port';
import type { GatewayMetrics } from '../observability/gateway-metrics';
import type { Session } from '../session/session';
import type { SessionSocket } from '../session/session-ports';
import { closeServer, listen, urlOf } from './listen';
import { wsSessionSocket } from './ws-session-socket';

/** Options of {@link startWebsocketListener}. */
export interface WebsocketListenerOptions {
  listen: HostPort;
  /** PEM contents; `null` for plain ws://. */
  tls: { cert: string; key: string } | null;
  maxConnections: number;
  maxPayload: number;
  pingIntervalMs: number;
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
  /** Refuses new upgrades from now on and stops listening (open connections stay). */
  stopAccepting(): void;
  /** Drops every remaining connection without a close handshake; resolves once the server is fully closed. */
  terminateAll(): Promise<void>;
}

/**
 * The transport side of the gateway: an HTTP(S) server that upgrades to `ws`, enforces the connection and
 * frame limits, pings for dead peers, and turns socket events into calls on each connection's session.
 */
export async function startWebsocketListener(options: WebsocketListenerOptions): Promise<WebsocketListener> {
  const { metrics, log } = options;
  const server: Server = options.tls ? createHttpsServer(options.tls) : createHttpServer();
  server.on('request', (_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' }).end('ic-ws-gateway: WebSocket upgrade required\n');
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayload, clientTracking: false });
  const sockets = new Set<WebSocket>();
  const sessions = new Set<Session>();
  const alive = new WeakSet<WebSocket>();
  let accepting = true;

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', (error) => log.debug({ err: error.message }, 'upgrade socket error'));
    if (!accepting || sockets.size >= options.maxConnections) {
      metrics.connectionsRefused.inc();
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => onConnection(ws));
  });

  function onConnection(ws: WebSocket): void {
    sockets.add(ws);
    alive.add(ws);
    metrics.connections.inc();
    metrics.connectionsTotal.inc();
    metrics.sessions.inc({ state: 'awaiting_open' });
    const session = options.createSession(wsSessionSocket(ws));
    sessions.add(session);
    ws.on('pong', () => alive.add(ws));
    ws.on('message', (data: RawData, isBinary: boolean) => session.handleFrame(toBytes(data), isBinary));
    ws.on('error', (error: Error & { code?: string }) => {
      // ws has already sent 1009 for an oversize frame; record the same reason on the session.
      if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
        void session.close({ code: CloseCode.MessageTooBig, reason: closeReasonText(CloseCode.MessageTooBig) });
      } else {
        void session.close({ code: CloseCode.PolicyViolation, reason: closeReasonText(CloseCode.PolicyViolation) });
      }
      log.debug({ err: error.message, code: error.code }, 'client socket error');
    });
    ws.on('close', (code: number) => {
      sockets.delete(ws);
      metrics.connections.dec();
      session.handleSocketClosed(code);
      // Keep the session listed until its ws_close finished, so a drain waits for it too.
      void (session.ended ?? Promise.resolve()).then(() => sessions.delete(session));
    });
    session.start();
  }

  const heartbeat = setInterval(() => {
    for (const ws of sockets) {
      if (!alive.has(ws)) {
        ws.terminate();
        continue;
      }
      alive.delete(ws);
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
      for (const ws of sockets) ws.terminate();
      await serverClosed;
    },
  };
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}
