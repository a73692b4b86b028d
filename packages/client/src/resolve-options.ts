import type { HttpAgent, SignIdentity } from '@dfinity/agent';
import type { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import IsomorphicWebSocket from 'isomorphic-ws';
import { ErrorCode } from 'ic-ws-protocol';
import { appMessageIdlFromFactory } from './app-message-idl';
import { IcWsClientError } from './client-error';
import type { OutboxStore } from './delivery/outbox-store';
import { IC_WEBSOCKET_DEFAULTS, type IcWebSocketOptions, type TimerApi } from './ic-websocket-options';
import type { WebSocketConstructor } from './socket/web-socket-like';
import type { BlsVerifierPreference } from './verifier/bls/load-bls-verifier';

/** Options after defaults, parsing and validation: what the connection machinery reads. */
export interface ResolvedOptions<T> {
  gatewayUrls: readonly string[];
  canisterId: Principal;
  identity: SignIdentity;
  networkUrl: string;
  agent: HttpAgent | undefined;
  appMessageIdl: IDL.Type<T>;
  rootKey: Uint8Array | undefined;
  fetchRootKey: boolean;
  maxCertificateAgeMs: number;
  ackIntervalMs: number;
  ackMarginMs: number;
  ackTimeoutMs: number;
  openTimeoutMs: number;
  blsVerifier: BlsVerifierPreference;
  reconnect: boolean;
  reconnectMaxAttempts: number;
  reconnectBaseDelayMs: number;
  reconnectMaxDelayMs: number;
  reconnectJitter: number;
  maxQueuedMessages: number;
  outbox: OutboxStore | undefined;
  outboxMaxAgeMs: number;
  WebSocket: WebSocketConstructor;
  fetch: typeof fetch | undefined;
  timers: TimerApi;
  random: () => number;
}

/** A DER-wrapped BLS12-381 G2 public key: 37 bytes of prefix and 96 of key. */
const ROOT_KEY_DER_LENGTH = 133;

// Read the globals at call time, not import time, so fake timers installed later are honoured.
const globalTimers: TimerApi = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

function invalid(message: string, cause?: unknown): IcWsClientError {
  return new IcWsClientError(ErrorCode.InvalidOptions, `IcWebSocket options: ${message}`, { cause });
}

/**
 * Merges `options` over {@link IC_WEBSOCKET_DEFAULTS} and rejects every impossible combination with an
 * `INVALID_OPTIONS` error, so a misconfigured client fails at construction rather than mid-connection.
 */
export function resolveOptions<T>(options: IcWebSocketOptions<T>): ResolvedOptions<T> {
  if (options === null || typeof options !== 'object') throw invalid('an options object is required');
  const merged = { ...IC_WEBSOCKET_DEFAULTS, ...withoutUndefined(options) };
  if (options.networkUrl !== undefined && options.agent !== undefined) throw invalid('give networkUrl or agent, not both');
  if (options.rootKey !== undefined && options.fetchRootKey === true) throw invalid('give rootKey or fetchRootKey, not both');
  if (options.rootKey !== undefined && (!(options.rootKey instanceof Uint8Array) || options.rootKey.length !== ROOT_KEY_DER_LENGTH)) {
    throw invalid(`rootKey must be the ${ROOT_KEY_DER_LENGTH}-byte DER encoding of the IC root key`);
  }
  checkPositive('maxCertificateAgeMs', merged.maxCertificateAgeMs);
  checkPositive('ackIntervalMs', merged.ackIntervalMs);
  checkNonNegative('ackMarginMs', merged.ackMarginMs);
  checkPositive('ackTimeoutMs', merged.ackTimeoutMs);
  checkPositive('outboxMaxAgeMs', merged.outboxMaxAgeMs);
  if (options.outbox !== undefined && !isOutboxStore(options.outbox)) throw invalid('outbox must be an OutboxStore (load, put, delete), such as localStorageOutboxStore()');
  checkPositive('openTimeoutMs', merged.openTimeoutMs);
  checkNonNegative('reconnectMaxAttempts', merged.reconnectMaxAttempts);
  checkNonNegative('reconnectBaseDelayMs', merged.reconnectBaseDelayMs);
  checkNonNegative('reconnectMaxDelayMs', merged.reconnectMaxDelayMs);
  checkNonNegative('maxQueuedMessages', merged.maxQueuedMessages);
  if (merged.blsVerifier !== 'auto' && merged.blsVerifier !== 'noble') throw invalid(`blsVerifier must be 'auto' or 'noble'`);
  if (merged.reconnectBaseDelayMs > merged.reconnectMaxDelayMs) throw invalid('reconnectBaseDelayMs is above reconnectMaxDelayMs');
  if (!(merged.reconnectJitter >= 0 && merged.reconnectJitter <= 1)) throw invalid('reconnectJitter must be within 0..1');
  const WebSocketImpl = options.WebSocket ?? defaultWebSocket();
  if (typeof WebSocketImpl !== 'function') throw invalid('no WebSocket implementation: pass options.WebSocket');
  return {
    gatewayUrls: parseGatewayUrls(options.gatewayUrl),
    canisterId: parseCanisterId(options.canisterId),
    identity: checkIdentity(options.identity),
    networkUrl: parseNetworkUrl(merged.networkUrl),
    agent: options.agent,
    appMessageIdl: pickAppMessageIdl(options),
    rootKey: options.rootKey,
    fetchRootKey: merged.fetchRootKey,
    maxCertificateAgeMs: merged.maxCertificateAgeMs,
    ackIntervalMs: merged.ackIntervalMs,
    ackMarginMs: merged.ackMarginMs,
    ackTimeoutMs: merged.ackTimeoutMs,
    openTimeoutMs: merged.openTimeoutMs,
    blsVerifier: merged.blsVerifier,
    reconnect: merged.reconnect,
    reconnectMaxAttempts: merged.reconnectMaxAttempts,
    reconnectBaseDelayMs: merged.reconnectBaseDelayMs,
    reconnectMaxDelayMs: merged.reconnectMaxDelayMs,
    reconnectJitter: merged.reconnectJitter,
    maxQueuedMessages: merged.maxQueuedMessages,
    outbox: options.outbox,
    outboxMaxAgeMs: merged.outboxMaxAgeMs,
    WebSocket: WebSocketImpl,
    fetch: options.fetch,
    timers: options.timers ?? globalTimers,
    random: options.random ?? Math.random,
  };
}

// `{ ...defaults, ...options }` would let an explicit `undefined` erase a default.
function withoutUndefined<O extends object>(options: O): Partial<O> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<O>;
}

function defaultWebSocket(): WebSocketConstructor {
  const platform = (globalThis as { WebSocket?: unknown }).WebSocket;
  return (typeof platform === 'function' ? platform : IsomorphicWebSocket) as unknown as WebSocketConstructor;
}

function isOutboxStore(value: unknown): value is OutboxStore {
  const store = value as Partial<OutboxStore> | null;
  return typeof store === 'object' && store !== null && typeof store.load === 'function' && typeof store.put === 'function' && typeof store.delete === 'function';
}

function checkPositive(name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw invalid(`${name} must be a positive number`);
}

function checkNonNegative(name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw invalid(`${name} must be a non-negative number`);
}

function parseGatewayUrls(input: string | readonly string[]): string[] {
  const urls = typeof input === 'string' ? [input] : Array.isArray(input) ? [...(input as string[])] : [];
  if (urls.length === 0) throw invalid('gatewayUrl must be a ws:// or wss:// URL or a non-empty list of them');
  for (const url of urls) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch (error) {
      throw invalid(`gatewayUrl ${JSON.stringify(url)} is not a URL`, error);
    }
    if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') throw invalid(`gatewayUrl ${JSON.stringify(url)} is not ws:// or wss://`);
  }
  return urls;
}

function parseNetworkUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new TypeError('not http(s)');
  } catch (error) {
    throw invalid(`networkUrl ${JSON.stringify(url)} is not an http(s) URL`, error);
  }
  return url;
}

function parseCanisterId(id: Principal | string): Principal {
  try {
    return typeof id === 'string' ? Principal.fromText(id) : Principal.from(id);
  } catch (error) {
    throw invalid(`canisterId ${JSON.stringify(String(id))} is not a principal`, error);
  }
}

function checkIdentity(identity: SignIdentity): SignIdentity {
  const candidate = identity as Partial<SignIdentity> | undefined;
  if (typeof candidate?.sign !== 'function' || typeof candidate.getPublicKey !== 'function' || typeof candidate.getPrincipal !== 'function') {
    throw invalid('identity must be a SignIdentity (an identity that can sign)');
  }
  if (identity.getPrincipal().isAnonymous()) throw invalid('the anonymous identity cannot open an IC WebSocket');
  return identity;
}

function pickAppMessageIdl<T>(options: IcWebSocketOptions<T>): IDL.Type<T> {
  if (options.appMessageIdl !== undefined && options.canisterIdlFactory !== undefined) {
    throw invalid('give appMessageIdl or canisterIdlFactory, not both');
  }
  if (options.appMessageIdl !== undefined) return options.appMessageIdl as IDL.Type<T>;
  if (options.canisterIdlFactory === undefined) throw invalid('appMessageIdl or canisterIdlFactory is required');
  try {
    return appMessageIdlFromFactory(options.canisterIdlFactory) as IDL.Type<T>;
  } catch (error) {
    throw invalid(error instanceof Error ? error.message : String(error), error);
  }
}
