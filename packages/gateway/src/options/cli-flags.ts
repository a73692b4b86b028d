import { parseArgs } from 'node:util';
import { ErrorCode } from 'ic-ws-protocol';
import { GatewayError, describeError } from '../gateway-error';
import { GATEWAY_DEFAULTS, type GatewayOptions } from './gateway-options';

type FlagKind = 'string' | 'integer' | 'boolean';

interface FlagSpec {
  flag: string;
  env: string;
  kind: FlagKind;
  option: keyof GatewayOptions;
  description: string;
  /** Shown in --help; `undefined` when there is no default. */
  shownDefault?: string;
}

const d = GATEWAY_DEFAULTS;

/** Every CLI flag, its `IC_WS_*` variable and the option it sets: the single table help and parsing use. */
export const GATEWAY_FLAGS: readonly FlagSpec[] = [
  { flag: 'listen', env: 'IC_WS_LISTEN', kind: 'string', option: 'listen', description: 'host:port of the WebSocket server', shownDefault: d.listen },
  { flag: 'ic-url', env: 'IC_WS_IC_URL', kind: 'string', option: 'icUrl', description: 'URL of the IC HTTP interface', shownDefault: d.icUrl },
  {
    flag: 'polling-interval',
    env: 'IC_WS_POLLING_INTERVAL',
    kind: 'integer',
    option: 'pollingIntervalMs',
    description: 'ms between the starts of polls of a drained canister queue',
    shownDefault: String(d.pollingIntervalMs),
  },
  {
    flag: 'max-idle-polling-interval',
    env: 'IC_WS_MAX_IDLE_POLLING_INTERVAL',
    kind: 'integer',
    option: 'maxIdlePollingIntervalMs',
    description: 'longest ms between polls of an idle canister (backoff; = --polling-interval turns it off)',
    shownDefault: String(d.maxIdlePollingIntervalMs),
  },
  {
    flag: 'poll-query-api-version',
    env: 'IC_WS_POLL_QUERY_API_VERSION',
    kind: 'integer',
    option: 'pollQueryApiVersion',
    description: 'poll through /api/<2|3>/canister/<id>/query (3: tree-format delegations, which agent-js <= 3.4.3 clients refuse)',
    shownDefault: String(d.pollQueryApiVersion),
  },
  {
    flag: 'admin-listen',
    env: 'IC_WS_ADMIN_LISTEN',
    kind: 'string',
    option: 'adminListen',
    description: "host:port of /metrics, /healthz, /readyz ('' turns it off)",
    shownDefault: d.adminListen,
  },
  {
    flag: 'identity-file',
    env: 'IC_WS_IDENTITY_FILE',
    kind: 'string',
    option: 'identityFile',
    description: 'Ed25519 PEM key of the gateway, created (mode 0600) if missing',
    shownDefault: d.identityFile,
  },
  { flag: 'root-key-file', env: 'IC_WS_ROOT_KEY_FILE', kind: 'string', option: 'rootKeyFile', description: 'IC root key (DER or hex) file' },
  {
    flag: 'fetch-root-key',
    env: 'IC_WS_FETCH_ROOT_KEY',
    kind: 'boolean',
    option: 'fetchRootKey',
    description: 'fetch the root key from --ic-url (automatic for loopback URLs; never for mainnet)',
    shownDefault: 'false',
  },
  { flag: 'tls-cert', env: 'IC_WS_TLS_CERT', kind: 'string', option: 'tlsCert', description: 'PEM certificate chain: serve wss://' },
  { flag: 'tls-key', env: 'IC_WS_TLS_KEY', kind: 'string', option: 'tlsKey', description: 'PEM private key of --tls-cert' },
  {
    flag: 'max-connections',
    env: 'IC_WS_MAX_CONNECTIONS',
    kind: 'integer',
    option: 'maxConnections',
    description: 'most simultaneous connections (more get HTTP 503)',
    shownDefault: String(d.maxConnections),
  },
  {
    flag: 'max-connections-per-ip',
    env: 'IC_WS_MAX_CONNECTIONS_PER_IP',
    kind: 'integer',
    option: 'maxConnectionsPerIp',
    description: 'most simultaneous connections from one IP address, 0 for no limit',
    shownDefault: String(d.maxConnectionsPerIp),
  },
  {
    flag: 'upgrade-timeout',
    env: 'IC_WS_UPGRADE_TIMEOUT',
    kind: 'integer',
    option: 'upgradeTimeoutMs',
    description: 'ms a connection may take to complete the WebSocket upgrade',
    shownDefault: String(d.upgradeTimeoutMs),
  },
  {
    flag: 'max-pending-bytes',
    env: 'IC_WS_MAX_PENDING_BYTES',
    kind: 'integer',
    option: 'maxPendingBytes',
    description: 'client bytes all sessions may hold before reading pauses',
    shownDefault: 'max-connections x 16 KiB, at least 64 MiB',
  },
  {
    flag: 'max-pending-bytes-per-session',
    env: 'IC_WS_MAX_PENDING_BYTES_PER_SESSION',
    kind: 'integer',
    option: 'maxPendingBytesPerSession',
    description: 'client bytes one session may hold before its reading pauses',
    shownDefault: String(d.maxPendingBytesPerSession),
  },
  {
    flag: 'max-outbound-bytes',
    env: 'IC_WS_MAX_OUTBOUND_BYTES',
    kind: 'integer',
    option: 'maxOutboundBytes',
    description: 'unflushed bytes to all clients before polling pauses',
    shownDefault: 'max-connections x 16 KiB, at least 64 MiB',
  },
  {
    flag: 'max-outbound-bytes-per-session',
    env: 'IC_WS_MAX_OUTBOUND_BYTES_PER_SESSION',
    kind: 'integer',
    option: 'maxOutboundBytesPerSession',
    description: 'unflushed bytes to one client before it is closed as a slow reader (4007)',
    shownDefault: String(d.maxOutboundBytesPerSession),
  },
  {
    flag: 'state-file',
    env: 'IC_WS_STATE_FILE',
    kind: 'string',
    option: 'stateFile',
    description: "file of the client keys opened, closed again after a crash ('' keeps none)",
    shownDefault: '<identity file without .pem>.open-keys',
  },
  {
    flag: 'max-payload',
    env: 'IC_WS_MAX_PAYLOAD',
    kind: 'integer',
    option: 'maxPayload',
    description: 'largest client frame in bytes (larger: close 1009)',
    shownDefault: String(d.maxPayload),
  },
  {
    flag: 'open-timeout',
    env: 'IC_WS_OPEN_TIMEOUT',
    kind: 'integer',
    option: 'openTimeoutMs',
    description: 'ms from connect to the first canister message, the ws_open relay not counted (close 4006)',
    shownDefault: String(d.openTimeoutMs),
  },
  {
    flag: 'drain-timeout',
    env: 'IC_WS_DRAIN_TIMEOUT',
    kind: 'integer',
    option: 'drainTimeoutMs',
    description: 'ms shutdown waits for sessions and ws_close calls',
    shownDefault: String(d.drainTimeoutMs),
  },
  {
    flag: 'log-level',
    env: 'IC_WS_LOG_LEVEL',
    kind: 'string',
    option: 'logLevel',
    description: 'fatal, error, warn, info, debug, trace or silent',
    shownDefault: d.logLevel,
  },
];

/** What the command line asks for. */
export type CliRequest = { kind: 'help'; text: string } | { kind: 'version' } | { kind: 'start'; options: GatewayOptions };

/**
 * Parses the command line and environment into gateway options: defaults < `IC_WS_*` variables < flags.
 * Only options actually given are set, so `startGateway` applies its own defaults to the rest.
 *
 * @throws GatewayError `INVALID_OPTIONS` for unknown flags and values that do not parse.
 */
export function parseGatewayCli(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): CliRequest {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
        ...Object.fromEntries(GATEWAY_FLAGS.map((f) => [f.flag, { type: f.kind === 'boolean' ? ('boolean' as const) : ('string' as const) }])),
      },
    });
  } catch (error) {
    throw new GatewayError(ErrorCode.InvalidOptions, `${describeError(error)} (see --help)`, { cause: error });
  }
  if (parsed.values.help) return { kind: 'help', text: gatewayHelp() };
  if (parsed.values.version) return { kind: 'version' };
  const options: Record<string, unknown> = {};
  for (const spec of GATEWAY_FLAGS) {
    const fromFlag = (parsed.values as Record<string, string | boolean | undefined>)[spec.flag];
    const raw = fromFlag ?? env[spec.env];
    if (raw === undefined) continue;
    const source = fromFlag !== undefined ? `--${spec.flag}` : spec.env;
    options[spec.option] = convert(spec.kind, raw, source);
  }
  return { kind: 'start', options: options as GatewayOptions };
}

function convert(kind: FlagKind, raw: string | boolean, source: string): string | number | boolean {
  if (typeof raw === 'boolean') return raw;
  if (kind === 'string') return raw;
  if (kind === 'boolean') {
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off|)$/i.test(raw)) return false;
    throw new GatewayError(ErrorCode.InvalidOptions, `${source}: expected true or false, got "${raw}"`);
  }
  if (!/^\d+$/.test(raw)) throw new GatewayError(ErrorCode.InvalidOptions, `${source}: expected a non-negative integer, got "${raw}"`);
  return Number(raw);
}

/** The `--help` text: every flag with its variable and default. */
export function gatewayHelp(): string {
  const rows = GATEWAY_FLAGS.map((f) => {
    const name = f.kind === 'boolean' ? `--${f.flag}` : `--${f.flag} <${f.kind === 'integer' ? 'n' : 'value'}>`;
    const shown = f.shownDefault === undefined ? '' : ` (default: ${f.shownDefault || "''"})`;
    return `  ${name.padEnd(28)} ${f.description}${shown}\n  ${''.padEnd(28)} env ${f.env}`;
  });
  return [
    'Usage: ic-ws-gateway [options]',
    '',
    'The IC WebSocket gateway. Every option can also be set by its IC_WS_* environment variable;',
    'flags override variables, which override defaults.',
    '',
    ...rows,
    `  ${'-v, --version'.padEnd(28)} print the version`,
    `  ${'-h, --help'.padEnd(28)} show this help`,
    '',
  ].join('\n');
}
