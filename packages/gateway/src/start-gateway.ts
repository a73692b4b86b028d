import { readFile } from 'node:fs/promises';
import type { SignIdentity } from '@dfinity/agent';
import type { Principal } from '@dfinity/principal';
import { ErrorCode, PROTOCOL_DEFAULTS, encodeHandshakeFrame } from 'ic-ws-protocol';
import { drainGateway } from './drain-gateway';
import { ByteBudget } from './flow/byte-budget';
import { watchGarbageCollections } from './flow/gc-watch';
import { InboundPool } from './flow/inbound-pool';
import { LoadMonitor } from './flow/load-monitor';
import { GatewayError, describeError } from './gateway-error';
import type { GatewayIc } from './ic/gateway-ic';
import { GatewayPresence, provingPresence } from './ic/gateway-presence';
import { createHttpGatewayIc } from './ic/http-gateway-ic';
import { loadOrCreateIdentity } from './ic/node-ed25519-identity';
import { OpenKeysJournal } from './keys/open-keys-journal';
import { WsCloser } from './keys/ws-closer';
import { createLogger } from './observability/create-logger';
import { GatewayMetrics } from './observability/gateway-metrics';
import { pollerObserver, sessionObserver, wsCloseObserver } from './observability/gateway-observers';
import { IcHealth } from './observability/ic-health';
import { startStatusChecks } from './observability/status-checks';
import type { GatewayOptions } from './options/gateway-options';
import { resolveGatewayOptions, type ResolvedGatewayOptions } from './options/resolve-gateway-options';
import { CanisterPoller } from './poller/canister-poller';
import { PollerRegistry } from './poller/poller-registry';
import { startAdminServer, type AdminServer } from './server/admin-server';
import { connectionCap } from './server/descriptor-limit';
import { startWebsocketListener } from './server/websocket-listener';
import { Session, type SessionDeps } from './session/session';

/** A running gateway, as returned by {@link startGateway}. */
export interface GatewayHandle {
  /** The WebSocket URL clients connect to (`ws://` or `wss://`; a wildcard listen address shows as 127.0.0.1). */
  url: string;
  /** The admin server's base URL, or `null` when it is off. */
  adminUrl: string | null;
  /** The gateway's principal: clients' `ws_open` must name it, canisters queue messages under it. */
  principal: Principal;
  /** Prometheus metrics of this gateway (also served on `/metrics`). */
  metrics: GatewayMetrics;
  /**
   * Drains and stops, within `drainTimeoutMs`: refuses new connections, stops reading clients, relays the
   * envelopes it holds, polls every canister until its queue for this gateway is empty, delivers what it
   * got, closes every session with 1001 and calls `ws_close` for each; then drops whatever is left (keys not
   * closed stay in `stateFile`, and the next start closes them). Idempotent.
   */
  close(): Promise<void>;
}

// Empty polls while a session waits for its OpenMessage before the poller reads the queue from nonce 0.
const PROBE_AFTER_EMPTY_POLLS = 20;
// ws_close is retried until the canister would have timed the client out itself (ack interval + keep-alive).
const WS_CLOSE_RETRY_FOR_MS = PROTOCOL_DEFAULTS.sendAckIntervalMs + PROTOCOL_DEFAULTS.keepAliveTimeoutMs;
// How long a presence call to a canister counts before the next ws_open to it makes another (see GatewayPresence).
const PRESENCE_REFRESH_MS = 30_000;
// How long a ws_open waits for that presence call at most (one update call normally takes a round or two).
const PRESENCE_MAX_WAIT_MS = 1_000;

/**
 * Starts an ic-ws gateway: a WebSocket server that relays clients' signed calls to canisters and polls
 * canisters for certified messages, plus the admin server. The CLI (`ic-ws-gateway`) is a thin wrapper.
 *
 * @throws GatewayError `INVALID_OPTIONS`, `IDENTITY_FILE_INVALID`, `ROOT_KEY_UNAVAILABLE`, `LISTEN_FAILED`.
 * @example
 * const gateway = await startGateway({ listen: '127.0.0.1:8080', icUrl: 'http://127.0.0.1:4943' });
 * console.log(gateway.url, gateway.principal.toText());
 * process.once('SIGTERM', () => void gateway.close());
 */
export async function startGateway(options: GatewayOptions = {}): Promise<GatewayHandle> {
  const resolved = resolveGatewayOptions(options);
  const log = resolved.logger ?? createLogger(resolved.logLevel);
  const identity = await gatewayIdentity(resolved, (path) => log.info({ path }, 'created a new gateway identity'));
  const principal = identity.getPrincipal();
  const ic: GatewayIc =
    resolved.ic ??
    (await createHttpGatewayIc({
      icUrl: resolved.icUrl,
      identity,
      fetch: resolved.fetch,
      rootKey: resolved.rootKey,
      requestTimeoutMs: resolved.icRequestTimeoutMs,
      pollQueryApiVersion: resolved.pollQueryApiVersion,
    }));
  const tls = resolved.tls ? await readTls(resolved.tls) : null;
  const metrics = new GatewayMetrics();
  const health = new IcHealth();
  const pools = { inbound: new InboundPool(resolved.maxPendingBytes), outbound: new ByteBudget(resolved.maxOutboundBytes) };
  const load = new LoadMonitor(pools, resolved.overloadRetryAfterMs);
  const stopGcWatch = watchGarbageCollections((kind) => pools.inbound.collected(kind));
  const observer = sessionObserver(metrics, log, load);
  const { journal, leftBehind } = await OpenKeysJournal.load(resolved.stateFile, log);
  const closer = new WsCloser({
    ic,
    journal,
    backoff: resolved.relayRetryBackoff,
    retryForMs: WS_CLOSE_RETRY_FOR_MS,
    observer: wsCloseObserver(metrics, log),
  });
  const registry = new PollerRegistry((canisterId, sessions) => {
    const canisterText = canisterId.toText();
    return new CanisterPoller({
      canisterId,
      gatewayPrincipal: principal,
      getMessages: (id, nonce) => ic.getMessages(id, nonce),
      sessions,
      timing: {
        intervalMs: resolved.pollingIntervalMs,
        maxIdleIntervalMs: resolved.maxIdlePollingIntervalMs,
        timeoutMs: resolved.icRequestTimeoutMs,
        backoff: resolved.pollBackoff,
        probeAfterEmptyPolls: PROBE_AFTER_EMPTY_POLLS,
      },
      observer: pollerObserver(canisterText, metrics, health, log.child({ canister: canisterText }), load),
      outboundRoom: () => pools.outbound.whenRoom(),
    });
  });
  metrics.countPollersWith(() => registry.pollerCount);

  const maxConnections = connectionCap(resolved.maxConnections);
  if (maxConnections < resolved.maxConnections) {
    log.warn({ maxConnections: resolved.maxConnections, cap: maxConnections }, 'maxConnections is above what the descriptor limit (ulimit -n) allows: capped');
  }
  // Sessions relay through an IC that proves this gateway to a canister before its first ws_open (presence).
  const presence = new GatewayPresence(ic, principal, {
    refreshMs: PRESENCE_REFRESH_MS,
    maxWaitMs: PRESENCE_MAX_WAIT_MS,
    now: () => Date.now(),
    onFailure: (canisterId, error) => log.debug({ canister: canisterId.toText(), err: describeError(error) }, 'presence call failed'),
  });
  const sessionIc = provingPresence(ic, presence);
  const handshakeFrame = encodeHandshakeFrame({ gateway_principal: principal });
  // One object for every session (only the socket is each session's own).
  const sessionDeps: SessionDeps = {
    gatewayPrincipal: principal,
    handshakeFrame,
    ic: sessionIc,
    router: registry,
    openKeys: closer,
    limits: resolved,
    pools,
    observer,
  };
  const listener = await startWebsocketListener({
    listen: resolved.listen,
    tls,
    maxConnections,
    maxConnectionsPerIp: resolved.maxConnectionsPerIp,
    upgradeTimeoutMs: resolved.upgradeTimeoutMs,
    maxPayload: resolved.maxPayload,
    pingIntervalMs: resolved.pingIntervalMs,
    overloadReason: () => load.overloadReason(),
    retryAfterMs: resolved.overloadRetryAfterMs,
    metrics,
    log,
    createSession: (socket) => new Session(sessionDeps, socket),
  });
  metrics.readFlowFrom({
    inboundBytes: () => pools.inbound.used,
    outboundBytes: () => pools.outbound.used,
    pausedSessions: () => {
      let paused = 0;
      for (const session of listener.sessions) if (session.readingPaused) paused += 1;
      return paused;
    },
  });

  let admin: AdminServer | null = null;
  try {
    admin = resolved.adminListen ? await startAdminServer(resolved.adminListen, metrics, health, log) : null;
  } catch (error) {
    stopGcWatch();
    await listener.terminateAll();
    throw error;
  }
  if (leftBehind.length > 0) {
    // Clients of a previous run that ended without closing them (a crash, a SIGKILL): the canisters would
    // keep queueing for them until their keep-alive timeout.
    log.info({ keys: leftBehind.length, stateFile: resolved.stateFile }, 'closing the client keys a previous run left open');
    void closer.closeLeftBehind(leftBehind).then(() => log.info({ keys: leftBehind.length }, 'closed the client keys a previous run left open'));
  }

  const stopStatusChecks = startStatusChecks(ic, health, {
    intervalMs: resolved.healthCheckIntervalMs,
    timeoutMs: Math.min(resolved.icRequestTimeoutMs, resolved.healthCheckIntervalMs * 2),
  });

  log.info({ url: listener.url, principal: principal.toText(), adminUrl: admin?.url ?? null, icUrl: resolved.icUrl.href }, `ic-ws-gateway listening on ${listener.url}`);

  let closing: Promise<void> | null = null;
  const drain = async () => {
    health.startDraining();
    stopStatusChecks();
    const outcome = await drainGateway({ listener, registry, timeoutMs: resolved.drainTimeoutMs });
    if (outcome.result === 'timeout') log.warn({ ...outcome, wsClosePending: closer.pending }, 'drain timed out; dropping what is left');
    closer.stop();
    registry.stopAll();
    stopGcWatch();
    await listener.terminateAll();
    await journal.flush();
    await admin?.close();
    log.info({ sessions: outcome.sessions, outcome: outcome.result, step: outcome.step }, 'ic-ws-gateway stopped');
  };
  return {
    url: listener.url,
    adminUrl: admin?.url ?? null,
    principal,
    metrics,
    close: () => (closing ??= drain()),
  };
}

async function gatewayIdentity(resolved: ResolvedGatewayOptions, onCreated: (path: string) => void): Promise<SignIdentity> {
  if (resolved.identity) return resolved.identity;
  const { identity, created } = await loadOrCreateIdentity(resolved.identityFile);
  if (created) onCreated(resolved.identityFile);
  return identity;
}

async function readTls(files: { certFile: string; keyFile: string }): Promise<{ cert: string; key: string }> {
  try {
    const [cert, key] = await Promise.all([readFile(files.certFile, 'utf8'), readFile(files.keyFile, 'utf8')]);
    return { cert, key };
  } catch (error) {
    throw new GatewayError(ErrorCode.InvalidOptions, `cannot read the TLS certificate or key: ${describeError(error)}`, { cause: error });
  }
}
