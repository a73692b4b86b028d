import type { SignIdentity } from '@dfinity/agent';
import type { GatewayIc } from '../../src/ic/gateway-ic';
import { createHttpGatewayIc } from '../../src/ic/http-gateway-ic';

/**
 * The production `GatewayIc` against a devnet at `devnetUrl`, signing as `identity`: root key fetched, every
 * IC check on, 10 s per request, the default transports (polls over keep-alive `http`). `fetch`, when given,
 * carries every request instead (to tamper with answers).
 */
export function devnetGatewayIc(devnetUrl: string, identity: SignIdentity, fetch?: typeof globalThis.fetch): Promise<GatewayIc> {
  return createHttpGatewayIc({ icUrl: new URL(devnetUrl), identity, ...(fetch ? { fetch } : {}), rootKey: { kind: 'fetch' }, requestTimeoutMs: 10_000 });
}
