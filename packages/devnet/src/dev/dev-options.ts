/**
 * Options of `ic-ws-devnet dev` / {@link startDev}: where the project is, what to run and on which ports.
 */

/** TCP ports of the servers `dev` starts; 0 picks a free one. */
export interface DevPorts {
  /** The devnet's IC HTTP interface. */
  devnet: number;
  /** The gateway's WebSocket server. */
  gateway: number;
  /** The frontend (when the project has one). */
  frontend: number;
  /** The gateway's admin server (`/metrics`, `/healthz`, `/readyz`); `null` turns it off. */
  admin: number | null;
}

/** The ports `ic-ws-devnet dev` uses unless told otherwise (those of dfx, the IC gateway and Vite). */
export const DEV_DEFAULT_PORTS: Readonly<DevPorts> = { devnet: 4943, gateway: 8080, frontend: 5173, admin: 9000 };

/** Options of {@link startDev}. */
export interface DevOptions {
  /** The project: the folder holding `dfx.json` (and the package.json that declares ic-ws-gateway). @default process.cwd() */
  projectDir?: string;
  /** Canisters of dfx.json to build and install, in this order (the devnet's ids follow it). @default every `azle` canister of dfx.json, in its order */
  canisters?: string[];
  /**
   * The frontend: a module path (relative to the project) whose `startFrontend` export serves the app,
   * see {@link StartFrontend}. @default none: devnet and gateway only
   */
  frontend?: string;
  /** @default DEV_DEFAULT_PORTS */
  ports?: Partial<DevPorts>;
  /** Interface every server listens on. The devnet has no access control: keep it on loopback. @default '127.0.0.1' */
  host?: string;
  /**
   * The project's local state: `dev.json` (the running servers and canister ids, for clients), the gateway's
   * identity (so its principal stays), and the devnet's state in `devnet/` (canisters with their heap and
   * stable memory, keys, IC time), so a restart serves the same canisters with the same data under the same
   * root key; changed canister code is upgraded, as `dfx deploy` does. Keep it out of version control.
   * @default `<projectDir>/.ic-ws`
   */
  stateDir?: string;
  /** Start over: delete the devnet's saved state (canisters and their data) first; the gateway identity stays. @default false */
  clean?: boolean;
  /** Canister debug output and the gateway's info logs. @default false */
  verbose?: boolean;
  /** Progress lines while starting ("building chat", ...). @default dropped */
  onProgress?: (line: string) => void;
  /** Log lines of the devnet and the gateway (warnings, and everything when `verbose`). @default written to stderr */
  onLog?: (line: string) => void;
}

/** Where the frontend connects; handed to {@link StartFrontend} and written to `dev.json`. */
export interface DevConfig {
  /** The gateway's WebSocket URL. */
  gatewayUrl: string;
  /** The devnet's IC HTTP interface (clients fetch its root key: it is loopback). */
  networkUrl: string;
  /** Canister ids by dfx.json name. */
  canisterIds: Record<string, string>;
}

/** What a project's frontend module gets. */
export interface FrontendContext {
  host: string;
  /** 0 picks a free port; any other port must be free. */
  port: number;
  config: DevConfig;
  /** The project folder. */
  projectDir: string;
}

/** A running frontend. */
export interface RunningFrontend {
  /** The page to open, without a trailing slash. */
  url: string;
  close(): Promise<void>;
}

/**
 * The export a frontend module gives `ic-ws-devnet dev --frontend <module>`: serve the app (a Vite dev
 * server, say) and hand it `context.config` (for example as `/config.json`).
 *
 * @example
 * ```js
 * // scripts/start-frontend.mjs
 * import { createServer } from 'vite';
 * /** @type {import('ic-ws-devnet').StartFrontend} *\/
 * export async function startFrontend({ host, port, config }) {
 *   const server = await createServer({ server: { host, port, strictPort: true }, define: { IC_WS_CONFIG: JSON.stringify(config) } });
 *   await server.listen();
 *   return { url: server.resolvedUrls.local[0].replace(/\/$/, ''), close: () => server.close() };
 * }
 * ```
 */
export type StartFrontend = (context: FrontendContext) => Promise<RunningFrontend>;
