import { HttpAgent, IC_ROOT_KEY } from '@dfinity/agent';
import { ErrorCode } from 'ic-ws-protocol';
import { IcWsClientError } from './client-error';

/** What decides where the root key comes from. */
export interface RootKeySource {
  rootKey: Uint8Array | undefined;
  fetchRootKey: boolean;
  agent: HttpAgent | undefined;
  networkUrl: string;
  fetch: typeof fetch | undefined;
}

/**
 * True for URLs whose host is the local machine: `localhost` (and `*.localhost`), `127.0.0.0/8`, `[::1]`.
 * Only there is fetching the root key safe by default: nobody else can answer for the local replica.
 */
export function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname.toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * The root key certificates are verified against: the one given, else the key fetched from a loopback network
 * (or any network when `fetchRootKey` is set), else the IC mainnet key. Never a fetched key from a remote
 * network unless asked: whoever answers that fetch would decide what counts as certified.
 *
 * @throws IcWsClientError `ROOT_KEY_UNAVAILABLE` when the fetch fails.
 */
export async function resolveRootKey(source: RootKeySource): Promise<Uint8Array> {
  if (source.rootKey !== undefined) return source.rootKey;
  const host = source.agent !== undefined ? source.agent.host.toString() : source.networkUrl;
  if (!source.fetchRootKey && !isLoopbackUrl(host)) return hexToBytes(IC_ROOT_KEY);
  const agent = source.agent ?? HttpAgent.createSync({ host, ...(source.fetch === undefined ? {} : { fetch: source.fetch }) });
  try {
    return await agent.fetchRootKey();
  } catch (error) {
    throw IcWsClientError.from(error, ErrorCode.RootKeyUnavailable, `could not fetch the root key from ${host}`);
  }
}

function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}
