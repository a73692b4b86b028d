import { ErrorCode } from 'ic-ws-protocol';
import { GatewayError } from '../gateway-error';
import { GATEWAY_DEFAULTS, defaultByteBudget, type GatewayOptions } from './gateway-options';
import { isLoopbackUrl, parseHostPort, type HostPort } from './host-port';

/** Where the IC root key comes from, decided once from the root-key options and `icUrl`. */
export type RootKeySource =
  | { kind: 'given'; key: Uint8Array }
  | { kind: 'file'; path: string }
  | { kind: 'fetch' }
  | { kind: 'mainnet' };

/** {@link GatewayOptions} after defaults and validation. */
export type ResolvedGatewayOptions = Omit<
  Required<GatewayOptions>,
  'listen' | 'adminListen' | 'icUrl' | 'rootKeyFile' | 'rootKey' | 'fetchRootKey' | 'identity' | 'logger' | 'ic' | 'tlsCert' | 'tlsKey' | 'stateFile' | 'fetch'
> & {
  listen: HostPort;
  adminListen: HostPort | null;
  icUrl: URL;
  rootKey: RootKeySource;
  tls: { certFile: string; keyFile: string } | null;
  /** `null`: keep no open-keys journal. */
  stateFile: string | null;
  identity: GatewayOptions['identity'];
  logger: GatewayOptions['logger'];
  ic: GatewayOptions['ic'];
  /** `undefined`: the default transports (see {@link GatewayOptions.fetch}). */
  fetch: GatewayOptions['fetch'];
};

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function invalid(message: string): GatewayError {
  return new GatewayError(ErrorCode.InvalidOptions, message);
}

function positiveInteger(value: number, what: string, allowZero = false): number {
  if (!Number.isSafeInteger(value) || value < (allowZero ? 0 : 1)) {
    throw invalid(`${what}: expected a ${allowZero ? 'non-negative' : 'positive'} integer, got ${value}`);
  }
  return value;
}

/**
 * Merges `options` over {@link GATEWAY_DEFAULTS} and rejects impossible combinations.
 *
 * @throws GatewayError `INVALID_OPTIONS` with a message naming the offending option.
 */
export function resolveGatewayOptions(options: GatewayOptions): ResolvedGatewayOptions {
  const merged = { ...GATEWAY_DEFAULTS, ...dropUndefined(options) };
  let icUrl: URL;
  try {
    icUrl = new URL(merged.icUrl);
  } catch {
    throw invalid(`icUrl: not a URL: "${merged.icUrl}"`);
  }
  if (icUrl.protocol !== 'http:' && icUrl.protocol !== 'https:') throw invalid(`icUrl: expected http(s), got ${icUrl.protocol}`);
  if (Boolean(merged.tlsCert) !== Boolean(merged.tlsKey)) throw invalid('tlsCert and tlsKey must be given together');
  if (!LOG_LEVELS.includes(merged.logLevel)) throw invalid(`logLevel: expected one of ${LOG_LEVELS.join(', ')}`);
  checkBackoff(merged.pollBackoff, 'pollBackoff');
  checkBackoff(merged.relayRetryBackoff, 'relayRetryBackoff');
  const maxConnections = positiveInteger(merged.maxConnections, 'maxConnections');
  const maxPendingBytesPerSession = positiveInteger(merged.maxPendingBytesPerSession, 'maxPendingBytesPerSession');
  const maxPendingBytes = positiveInteger(merged.maxPendingBytes ?? defaultByteBudget(maxConnections), 'maxPendingBytes');
  const maxOutboundBytesPerSession = positiveInteger(merged.maxOutboundBytesPerSession, 'maxOutboundBytesPerSession');
  const maxOutboundBytes = positiveInteger(merged.maxOutboundBytes ?? defaultByteBudget(maxConnections), 'maxOutboundBytes');
  if (maxPendingBytes < maxPendingBytesPerSession) throw invalid('maxPendingBytes must not be below maxPendingBytesPerSession');
  if (maxOutboundBytes < maxOutboundBytesPerSession) throw invalid('maxOutboundBytes must not be below maxOutboundBytesPerSession');
  return {
    ...merged,
    listen: parseHostPort(merged.listen, 'listen'),
    adminListen: merged.adminListen === '' ? null : parseHostPort(merged.adminListen, 'adminListen'),
    icUrl,
    rootKey: rootKeySource(options, icUrl),
    tls: merged.tlsCert && merged.tlsKey ? { certFile: merged.tlsCert, keyFile: merged.tlsKey } : null,
    pollingIntervalMs: positiveInteger(merged.pollingIntervalMs, 'pollingIntervalMs', true),
    maxIdlePollingIntervalMs: positiveInteger(merged.maxIdlePollingIntervalMs, 'maxIdlePollingIntervalMs', true),
    pollQueryApiVersion: queryApiVersion(merged.pollQueryApiVersion),
    maxConnections,
    maxConnectionsPerIp: positiveInteger(merged.maxConnectionsPerIp, 'maxConnectionsPerIp', true),
    upgradeTimeoutMs: positiveInteger(merged.upgradeTimeoutMs, 'upgradeTimeoutMs'),
    maxPayload: positiveInteger(merged.maxPayload, 'maxPayload'),
    openTimeoutMs: positiveInteger(merged.openTimeoutMs, 'openTimeoutMs'),
    drainTimeoutMs: positiveInteger(merged.drainTimeoutMs, 'drainTimeoutMs', true),
    pingIntervalMs: positiveInteger(merged.pingIntervalMs, 'pingIntervalMs'),
    icRequestTimeoutMs: positiveInteger(merged.icRequestTimeoutMs, 'icRequestTimeoutMs'),
    maxPendingEnvelopes: positiveInteger(merged.maxPendingEnvelopes, 'maxPendingEnvelopes'),
    maxPendingBytesPerSession,
    maxPendingBytes,
    maxOutboundBytesPerSession,
    maxOutboundBytes,
    overloadRetryAfterMs: positiveInteger(merged.overloadRetryAfterMs, 'overloadRetryAfterMs'),
    stateFile: stateFileOf(options, merged.identityFile),
    healthCheckIntervalMs: positiveInteger(merged.healthCheckIntervalMs, 'healthCheckIntervalMs'),
    fetch: merged.fetch,
    identity: options.identity,
    logger: options.logger,
    ic: options.ic,
  };
}

function queryApiVersion(value: number): 2 | 3 {
  if (value !== 2 && value !== 3) throw invalid(`pollQueryApiVersion: expected 2 or 3, got ${value}`);
  return value;
}

function checkBackoff(backoff: { initialMs: number; maxMs: number }, what: string): void {
  positiveInteger(backoff.initialMs, `${what}.initialMs`);
  if (positiveInteger(backoff.maxMs, `${what}.maxMs`) < backoff.initialMs) throw invalid(`${what}.maxMs must not be below ${what}.initialMs`);
}

// Beside the identity file; nothing for an identity given in code, unless a file is named.
function stateFileOf(options: GatewayOptions, identityFile: string): string | null {
  if (options.stateFile !== undefined) return options.stateFile === '' ? null : options.stateFile;
  if (options.identity) return null;
  return `${identityFile.replace(/\.pem$/i, '')}.open-keys`;
}

function rootKeySource(options: GatewayOptions, icUrl: URL): RootKeySource {
  const given = [options.rootKey && 'rootKey', options.rootKeyFile && 'rootKeyFile', options.fetchRootKey && 'fetchRootKey'].filter(Boolean);
  if (given.length > 1) throw invalid(`choose one of rootKey, rootKeyFile and fetchRootKey (got ${given.join(' and ')})`);
  if (options.rootKey) return { kind: 'given', key: options.rootKey };
  if (options.rootKeyFile) return { kind: 'file', path: options.rootKeyFile };
  if (options.fetchRootKey || isLoopbackUrl(icUrl)) return { kind: 'fetch' };
  return { kind: 'mainnet' };
}

// `{ ...defaults, listen: undefined }` would erase the default: explicit undefined means "not given".
function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
