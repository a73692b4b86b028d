/** Where the chat page connects (served as `/config.json`). */
export interface ChatFrontendConfig {
  gatewayUrl: string;
  canisterId: string;
  networkUrl: string;
}

/** A running frontend server. */
export interface ChatFrontend {
  /** The page's URL, without a trailing slash. */
  url: string;
  close(): Promise<void>;
}

/** Serves the chat frontend (Vite dev server) and `/config.json`; `port` 0 picks a free port. */
export function startChatFrontend(options: { host: string; port: number; config: ChatFrontendConfig }): Promise<ChatFrontend>;
