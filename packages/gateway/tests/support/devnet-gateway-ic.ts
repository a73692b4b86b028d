import type { SignIdentity } from '@dfinity/agent';
import type { GatewayIc } from '../../src/ic/gateway-ic';
import { createHttpGatewayIc } from '../../src/ic/http-gateway-ic';

/**
 * The production `GatewayIc` against a devnet at `devnetUrl`, signing as `identity`: root key fetched, every
 * IC check on, 10 s per request. `fetch` replaces the global one (to tamper with answers).
 */
export function devnetGatewayIc(devnetUrl: string, identity: SignIdentity, fetch: typeof globalThis.fetch = globalThis.fetch): Promise<GatewayIc> {
  return createHttpGatewayIc({ icUrl: new URL(devnetUrl), identity, fetch, rootKey: { kind: 'fetch' }, requestTimeoutMs: 10_000 });
}
