import type { SignIdentity } from '@dfinity/agent';
import type { Logger } from 'pino';
import type { GatewayIc } from '../ic/gateway-ic';

/**
 * Everything `startGateway` accepts. The CLI maps each flag (and `IC_WS_*` variable) to one field; the
 * remaining fields are for embedding and tests. Durations are milliseconds, sizes bytes.
 */
export interface GatewayOptions {
  /**
   * `host:port` the WebSocket server listens on; port 0 picks a free port.
   * @default '0.0.0.0:8080'
   */
  listen?: string;
  /**
   * Base URL of the IC HTTP interface (a boundary node, a replica or ic-ws-devnet).
   * @default 'http://127.0.0.1:4943'
   */
  icUrl?: string;
  /**
   * Time between the starts of two `ws_get_messages` polls of a canister once its queue is drained, with at
   * least half of it between one poll's answer and the next poll (a poll that finds more queued is followed
   * at once; so is the relay of a client's call to the canister).
   * @default 100
   */
  pollingIntervalMs?: number;
  /**
   * Longest time between two polls of an idle canister: once a canister's polls have found nothing for 1 s,
   * each empty poll doubles its interval, from `pollingIntervalMs` up to this. Any message from it, or a
   * client's call relayed to it, brings it back to `pollingIntervalMs`. An idle gateway then costs little
   * CPU (and the IC little query load); the price is that the first message of a canister woken by
   * something other than this gateway's clients (a timer, another gateway, a direct call) waits up to this
   * long. Set it to `pollingIntervalMs` (or lower) to poll every canister at the full rate always.
   * @default 3000
   */
  maxIdlePollingIntervalMs?: number;
  /**
   * The IC endpoint the gateway polls `ws_get_messages` through: `/api/<v>/canister/<id>/query`. It decides
   * the canister-ranges format of the subnet delegation inside each batch's `cert` (the canister's
   * `data_certificate`): 2 (deprecated on the IC, still served) gives the flat format, 3 the tree format
   * (interface spec "Delegation"; dfinity/ic PR 6378). 2 is the default because clients built on
   * `@dfinity/agent` <= 3.4.3, ic-websocket-js 0.5 among them, refuse the tree format ("Could not find
   * canister ranges"); ic-ws-client verifies both. Choose 3 only when every client is ic-ws-client (or on
   * `@icp-sdk/core`), or once the IC stops serving v2 queries.
   * @default 2
   */
  pollQueryApiVersion?: 2 | 3;
  /**
   * `host:port` of the admin server (`/metrics`, `/healthz`, `/readyz`); `''` turns it off.
   * @default '127.0.0.1:9000'
   */
  adminListen?: string;
  /**
   * PEM file (PKCS#8) with the gateway's Ed25519 key; created with mode 0600 on first start.
   * Ignored when `identity` is given.
   * @default 'ic-ws-gateway-identity.pem'
   */
  identityFile?: string;
  /**
   * The gateway's identity; takes precedence over `identityFile`.
   * @default undefined (load or create `identityFile`)
   */
  identity?: SignIdentity;
  /**
   * File with the IC root key (DER, raw or hex). Excludes `fetchRootKey` and `rootKey`.
   * @default undefined
   */
  rootKeyFile?: string;
  /**
   * The IC root key (DER). Excludes `rootKeyFile` and `fetchRootKey`.
   * @default undefined
   */
  rootKey?: Uint8Array;
  /**
   * Fetch the root key from `icUrl/api/v2/status`. Without any root-key option the key is fetched only when
   * `icUrl` is a loopback address; otherwise the IC mainnet key is used. Never set this for mainnet.
   * @default false
   */
  fetchRootKey?: boolean;
  /**
   * PEM certificate chain; with `tlsKey` the WebSocket server speaks TLS (wss://).
   * @default undefined
   */
  tlsCert?: string;
  /**
   * PEM private key of `tlsCert`.
   * @default undefined
   */
  tlsKey?: string;
  /**
   * Most simultaneous client connections, counting those that have not finished the WebSocket upgrade. At
   * the limit the oldest connection still waiting to upgrade (a silent socket) is closed to make room;
   * without one, new connections get HTTP 503 with `Retry-After`. Capped below the process's descriptor
   * limit (`ulimit -n`, minus 128 for everything else), with a warning.
   * @default 10000
   */
  maxConnections?: number;
  /**
   * Most simultaneous connections from one IP address (more get HTTP 503); 0 for no limit. Leave it off
   * behind a proxy or NAT that makes many clients share an address.
   * @default 0
   */
  maxConnectionsPerIp?: number;
  /**
   * Time a connection may take from TCP accept to the end of its WebSocket upgrade (TLS handshake and HTTP
   * request included); slower ones are closed. Also the HTTP server's `headersTimeout` and `requestTimeout`.
   * @default 10000
   */
  upgradeTimeoutMs?: number;
  /**
   * Largest client frame accepted; larger ones close the session with 1009.
   * @default 2097152 (2 MiB, the IC's ingress limit)
   */
  maxPayload?: number;
  /**
   * How long a session may take from the upgrade to its first canister message (its OpenMessage), not
   * counting the time the IC takes to answer its `ws_open` (a relay bounded by the envelope's ingress expiry):
   * a slow IC does not close sessions that are waiting for it.
   * @default 30000
   */
  openTimeoutMs?: number;
  /**
   * pino level: fatal, error, warn, info, debug, trace or silent.
   * @default 'info'
   */
  logLevel?: string;
  /**
   * How long a shutdown (`close()`, SIGTERM) may take. It stops accepting, stops reading clients, relays the
   * envelopes it holds, polls every canister until its queue for this gateway is empty, delivers, closes the
   * sessions with 1001 and calls `ws_close` for each; what is not done by then is dropped (keys not closed
   * stay in `stateFile` for the next start).
   * @default 10000
   */
  drainTimeoutMs?: number;
  /**
   * Interval of WebSocket pings; a peer that has not answered the previous ping is dropped.
   * @default 30000
   */
  pingIntervalMs?: number;
  /**
   * Timeout of one relayed call, one `ws_get_messages` query and one `ws_close` call.
   * @default 30000
   */
  icRequestTimeoutMs?: number;
  /**
   * First and largest pause between polls of a canister whose polls fail (doubling in between).
   * @default { initialMs: 200, maxMs: 10000 }
   */
  pollBackoff?: { initialMs: number; maxMs: number };
  /**
   * Envelopes a session may have waiting for (or in) relay; beyond, the gateway stops reading its socket
   * until relays finish (TCP backpressure: the client's sends wait), instead of buffering more.
   * @default 64
   */
  maxPendingEnvelopes?: number;
  /**
   * Client bytes one session may hold (the frame being received plus envelopes waiting for relay) before
   * the gateway stops reading its socket. A single frame larger than this is still read whole.
   * @default 4194304 (4 MiB)
   */
  maxPendingBytesPerSession?: number;
  /**
   * Client bytes all sessions together may hold (as above) before the gateway stops reading every socket
   * until relays free some. New sessions are refused (1013 with a retry hint) above 90% of it.
   * @default maxConnections x 16 KiB, at least 64 MiB (156 MiB for 10 000 connections)
   */
  maxPendingBytes?: number;
  /**
   * Canister frames written to one client and not yet flushed above which the client counts as not
   * reading and its session closes (4007): a client that stops reading pins at most this plus one frame.
   * @default 8388608 (8 MiB)
   */
  maxOutboundBytesPerSession?: number;
  /**
   * Canister frames written to all clients and not yet flushed above which the gateway stops polling
   * canisters (messages wait in their queues) until clients have read enough. New sessions are refused
   * (1013 with a retry hint) meanwhile.
   * @default maxConnections x 16 KiB, at least 64 MiB (156 MiB for 10 000 connections)
   */
  maxOutboundBytes?: number;
  /**
   * First and largest pause between two posts of an envelope whose relay failed for a transient reason
   * (the IC unreachable, HTTP 5xx or 429, a timeout). It is posted again until its `ingress_expiry`: the
   * IC runs a request id at most once, so this is safe. Only then does the session close (4005).
   * @default { initialMs: 250, maxMs: 5000 }
   */
  relayRetryBackoff?: { initialMs: number; maxMs: number };
  /**
   * The wait suggested to clients refused while the gateway is overloaded (close 1013, reason
   * `try again later; retry after <ms> ms`); also how long after a transient IC failure new sessions are
   * refused.
   * @default 5000
   */
  overloadRetryAfterMs?: number;
  /**
   * File where the gateway records the client keys it opened on canisters (append-only; see the README),
   * so that after a crash or a SIGKILL the next start with the same identity closes them with `ws_close`.
   * `''` keeps nothing. One file per gateway process.
   * @default identityFile with `.pem` replaced by `.open-keys`; `''` when `identity` is given
   */
  stateFile?: string;
  /**
   * How often the IC's `/api/v2/status` is checked for `/readyz` (a failed check makes the gateway unready
   * until the next successful check or poll). A check unanswered after twice this interval (at most
   * `icRequestTimeoutMs`) fails, so an IC that black-holes requests also makes the gateway unready.
   * @default 5000
   */
  healthCheckIntervalMs?: number;
  /**
   * `fetch` used for every IC request, polls included (a proxy, a test that tampers with answers).
   * @default `globalThis.fetch`, but for polls: Node's `http`/`https` with keep-alive connections, which cost
   *   an idle gateway about half the CPU per poll
   */
  fetch?: typeof fetch;
  /**
   * pino logger; when given, `logLevel` is ignored.
   * @default a pino JSON logger on stdout (pretty on a TTY)
   */
  logger?: Logger;
  /**
   * The IC as the gateway sees it (relay, poll, close, status). Tests inject a fake here.
   * @default an implementation over `fetch` and @dfinity/agent against `icUrl`
   */
  ic?: GatewayIc;
}

/** The defaults of every optional, non-injected {@link GatewayOptions} field. */
export const GATEWAY_DEFAULTS = {
  listen: '0.0.0.0:8080',
  icUrl: 'http://127.0.0.1:4943',
  pollingIntervalMs: 100,
  maxIdlePollingIntervalMs: 3_000,
  pollQueryApiVersion: 2,
  adminListen: '127.0.0.1:9000',
  identityFile: 'ic-ws-gateway-identity.pem',
  fetchRootKey: false,
  maxConnections: 10_000,
  maxConnectionsPerIp: 0,
  upgradeTimeoutMs: 10_000,
  maxPayload: 2 * 1024 * 1024,
  openTimeoutMs: 30_000,
  logLevel: 'info',
  drainTimeoutMs: 10_000,
  pingIntervalMs: 30_000,
  icRequestTimeoutMs: 30_000,
  pollBackoff: { initialMs: 200, maxMs: 10_000 },
  maxPendingEnvelopes: 64,
  maxPendingBytesPerSession: 4 * 1024 * 1024,
  maxOutboundBytesPerSession: 8 * 1024 * 1024,
  relayRetryBackoff: { initialMs: 250, maxMs: 5_000 },
  overloadRetryAfterMs: 5_000,
  healthCheckIntervalMs: 5_000,
} as const satisfies GatewayOptions;

/**
 * The default of `maxPendingBytes` and `maxOutboundBytes` for `maxConnections` connections: 16 KiB per
 * connection, at least 64 MiB.
 */
export function defaultByteBudget(maxConnections: number): number {
  return Math.max(64 * 1024 * 1024, maxConnections * 16 * 1024);
}
