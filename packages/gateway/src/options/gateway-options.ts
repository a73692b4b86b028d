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
   * Pause between two `ws_get_messages` polls of a canister once its queue is drained.
   * @default 100
   */
  pollingIntervalMs?: number;
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
   * Most simultaneous WebSocket connections; further upgrades are refused with HTTP 503.
   * @default 10000
   */
  maxConnections?: number;
  /**
   * Largest client frame accepted; larger ones close the session with 1009.
   * @default 2097152 (2 MiB, the IC's ingress limit)
   */
  maxPayload?: number;
  /**
   * How long a session may take from the upgrade to its first canister message (its OpenMessage).
   * @default 30000
   */
  openTimeoutMs?: number;
  /**
   * pino level: fatal, error, warn, info, debug, trace or silent.
   * @default 'info'
   */
  logLevel?: string;
  /**
   * How long shutdown waits for sessions to close and `ws_close` calls to finish.
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
   * Bytes written to a client socket but not yet flushed above which further frames wait in its queue.
   * @default 4194304 (4 MiB)
   */
  maxBufferedBytes?: number;
  /**
   * Frames a session may queue behind its socket before it is closed as a slow consumer.
   * @default 1024
   */
  maxQueuedFrames?: number;
  /**
   * Client envelopes a session may have waiting for relay before it is closed for flooding.
   * @default 64
   */
  maxPendingEnvelopes?: number;
  /**
   * How often the IC's `/api/v2/status` is checked for `/readyz` (a failed check makes the gateway unready
   * until the next successful check or poll). A check unanswered after twice this interval (at most
   * `icRequestTimeoutMs`) fails, so an IC that black-holes requests also makes the gateway unready.
   * @default 5000
   */
  healthCheckIntervalMs?: number;
  /**
   * `fetch` used for every IC request.
   * @default globalThis.fetch
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
  adminListen: '127.0.0.1:9000',
  identityFile: 'ic-ws-gateway-identity.pem',
  fetchRootKey: false,
  maxConnections: 10_000,
  maxPayload: 2 * 1024 * 1024,
  openTimeoutMs: 30_000,
  logLevel: 'info',
  drainTimeoutMs: 10_000,
  pingIntervalMs: 30_000,
  icRequestTimeoutMs: 30_000,
  pollBackoff: { initialMs: 200, maxMs: 10_000 },
  maxBufferedBytes: 4 * 1024 * 1024,
  maxQueuedFrames: 1024,
  maxPendingEnvelopes: 64,
  healthCheckIntervalMs: 5_000,
} as const satisfies GatewayOptions;
