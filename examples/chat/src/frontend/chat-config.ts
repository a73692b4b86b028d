/** Where the chat connects: written by `pnpm dev` (served as `/config.json`) or deployed next to the page. */
export interface ChatConfig {
  /** The gateway's `ws://` or `wss://` URL. */
  gatewayUrl: string;
  /** The chat canister's id. */
  canisterId: string;
  /** The IC HTTP interface (the devnet locally): root key and clock come from there. */
  networkUrl: string;
}

/** The config could not be loaded or is malformed. */
export class ChatConfigError extends Error {
  override readonly name = 'ChatConfigError';
  readonly code = 'CHAT_CONFIG_INVALID';
}

const FIELDS = ['gatewayUrl', 'canisterId', 'networkUrl'] as const;

/** Fetches and checks the config at `url`. */
export async function loadChatConfig(url = '/config.json', fetchFn: typeof fetch = fetch): Promise<ChatConfig> {
  let body: unknown;
  try {
    const response = await fetchFn(url, { cache: 'no-store' });
    if (!response.ok) throw new ChatConfigError(`${url} answered HTTP ${response.status}`);
    body = await response.json();
  } catch (error) {
    if (error instanceof ChatConfigError) throw error;
    throw new ChatConfigError(`cannot load ${url}: ${String(error)}`, { cause: error });
  }
  if (typeof body !== 'object' || body === null) throw new ChatConfigError(`${url} is not a JSON object`);
  const record = body as Record<string, unknown>;
  for (const field of FIELDS) {
    if (typeof record[field] !== 'string' || record[field] === '') throw new ChatConfigError(`${url}: "${field}" must be a non-empty string`);
  }
  return { gatewayUrl: record.gatewayUrl as string, canisterId: record.canisterId as string, networkUrl: record.networkUrl as string };
}
