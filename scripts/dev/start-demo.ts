/**
 * `startDemo`: the whole demo stack `pnpm dev` runs, as one function, so the browser end-to-end test
 * starts exactly what a user gets. Builds the canisters (cached), starts ic-ws-devnet and installs them,
 * starts ic-ws-gateway against the devnet, and serves the chat frontend with its config.
 */
import { fileURLToPath } from 'node:url';
import { startDevnet, type Devnet } from 'ic-ws-devnet';
import { NodeEd25519Identity, startGateway, type GatewayHandle } from 'ic-ws-gateway';
import { startChatFrontend, type ChatFrontend } from '../../examples/chat/scripts/start-frontend.mjs';
import { buildDemoCanisters } from './demo-canisters';

/** TCP ports of the demo's servers; 0 picks a free one. */
export interface DemoPorts {
  devnet: number;
  gateway: number;
  frontend: number;
  /** The gateway's admin server (`/metrics`, `/healthz`); `null` turns it off. */
  admin: number | null;
}

/** The ports `pnpm dev` uses unless told otherwise. */
export const DEMO_DEFAULT_PORTS: Readonly<DemoPorts> = { devnet: 4943, gateway: 8080, frontend: 5173, admin: 9000 };

/** Options of {@link startDemo}. */
export interface DemoOptions {
  /** @default DEMO_DEFAULT_PORTS */
  ports?: Partial<DemoPorts>;
  /** Interface every server listens on. The devnet has no access control: keep it on loopback. @default '127.0.0.1' */
  host?: string;
  /** The gateway's pino log level. @default 'warn' */
  gatewayLogLevel?: string;
  /** Print canister debug output (`console.log` in canisters). @default false */
  verbose?: boolean;
  /** Progress lines while starting ("building chat", ...). @default dropped */
  onProgress?: (line: string) => void;
}

/** Where the demo's servers are. */
export interface DemoUrls {
  /** The page to open. */
  chat: string;
  /** The gateway's WebSocket URL. */
  gateway: string;
  /** The devnet's IC HTTP interface. */
  devnet: string;
  /** The gateway's admin server, or `null` when off. */
  admin: string | null;
}

/** A running demo. */
export interface Demo {
  urls: DemoUrls;
  /** Canister ids by dfx.json name (`chat`, and `ping_pong` when present). */
  canisterIds: Record<string, string>;
  /** The gateway's principal. */
  gatewayPrincipal: string;
  /** Which canisters came from the build cache. */
  cachedBuilds: string[];
  /** Stops the frontend, then the gateway (it calls `ws_close` for open sessions), then the devnet. Idempotent. */
  close(): Promise<void>;
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Starts the demo. On failure, whatever already started is stopped before the error is rethrown.
 *
 * @example
 * ```ts
 * const demo = await startDemo({ ports: { devnet: 0, gateway: 0, frontend: 0, admin: null } });
 * console.log(demo.urls.chat);
 * await demo.close();
 * ```
 */
export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const ports = { ...DEMO_DEFAULT_PORTS, ...options.ports };
  const host = options.host ?? '127.0.0.1';
  const progress = options.onProgress ?? (() => {});
  const stack: { name: string; close: () => Promise<void> }[] = [];
  const closeAll = async (): Promise<void> => {
    // Reverse start order: the gateway's ws_close calls need the devnet still up.
    for (const part of stack.splice(0).reverse()) {
      await part.close().catch((error: unknown) => progress(`error while stopping the ${part.name}: ${String(error)}`));
    }
  };
  try {
    const built = await buildDemoCanisters(ROOT, progress);

    progress(`starting ic-ws-devnet on ${host}:${ports.devnet}`);
    const devnet: Devnet = await startDevnet({
      host,
      port: ports.devnet,
      log: (entry) => {
        if (options.verbose || entry.level === 'warn') process.stderr.write(`[devnet ${entry.level}] ${entry.source}: ${entry.message}\n`);
      },
    });
    stack.push({ name: 'devnet', close: () => devnet.close() });
    const canisterIds: Record<string, string> = {};
    for (const canister of built) {
      canisterIds[canister.name] = (await devnet.install({ wasm: canister.wasm })).toText();
    }
    const chatId = canisterIds.chat;
    if (chatId === undefined) throw new Error('the chat canister was not built');

    progress(`starting ic-ws-gateway on ${host}:${ports.gateway}`);
    const gateway: GatewayHandle = await startGateway({
      listen: `${host}:${ports.gateway}`,
      icUrl: devnet.url,
      // A fresh devnet each run: the gateway needs no identity that outlives it.
      identity: NodeEd25519Identity.generate(),
      adminListen: ports.admin === null ? '' : `${host}:${ports.admin}`,
      logLevel: options.gatewayLogLevel ?? 'warn',
      drainTimeoutMs: 3000,
    });
    stack.push({ name: 'gateway', close: () => gateway.close() });

    progress(`starting the chat frontend on ${host}:${ports.frontend}`);
    const frontend: ChatFrontend = await startChatFrontend({
      host,
      port: ports.frontend,
      config: { gatewayUrl: gateway.url, canisterId: chatId, networkUrl: devnet.url },
    });
    stack.push({ name: 'frontend', close: () => frontend.close() });

    let closing: Promise<void> | undefined;
    return {
      urls: { chat: frontend.url, gateway: gateway.url, devnet: devnet.url, admin: gateway.adminUrl },
      canisterIds,
      gatewayPrincipal: gateway.principal.toText(),
      cachedBuilds: built.filter((canister) => canister.cached).map((canister) => canister.name),
      close: () => (closing ??= closeAll()),
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
