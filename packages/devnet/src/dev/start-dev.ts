/**
 * `startDev`: what `ic-ws-devnet dev` runs, as one function (tests start exactly what a user gets). Builds
 * the project's canisters (cached), starts a devnet on the project's state (`.ic-ws/devnet`: a restart keeps
 * canisters and data) and deploys them, starts the project's ic-ws-gateway against it, then the project's
 * frontend, and writes `.ic-ws/dev.json`.
 */
import { readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ErrorCode, IcWsError } from 'ic-ws-protocol';
import { startDevnet, type Devnet } from '../start-devnet';
import { DEV_DEFAULT_PORTS, type DevConfig, type DevOptions, type RunningFrontend } from './dev-options';
import { removeDevSession, writeDevSession, type DevSessionInfo } from './dev-session-file';
import { startFrontendModule } from './frontend-module';
import { startGatewayProcess, type GatewayProcess } from './gateway-process';
import { portIsFree } from './port-check';
import { buildProjectCanister, projectCanisters } from './project-canisters';

/** A running dev session. */
export interface DevSession extends DevSessionInfo {
  /** Canisters whose wasm came from the build cache. */
  cachedBuilds: string[];
  /** The session file clients read (`<state dir>/dev.json`), absolute. */
  sessionFile: string;
  /** Resolves if the gateway process ends on its own (it crashed): the session is then broken. */
  gatewayExited: Promise<number | null>;
  /** Stops the frontend, then the gateway (it calls `ws_close` for open sessions), then the devnet. Idempotent. */
  close(): Promise<void>;
}

/** The devnet's state directory, inside the project's state folder. */
export const DEVNET_STATE_FOLDER = 'devnet';

const PORT_FLAGS = {
  devnet: '--devnet-port (IC_WS_DEVNET_PORT)',
  gateway: '--gateway-port (IC_WS_GATEWAY_PORT)',
  admin: "--admin-port (IC_WS_ADMIN_PORT; 'off' turns it off)",
  frontend: '--frontend-port (IC_WS_FRONTEND_PORT)',
} as const;

/**
 * Starts the project. On failure, whatever already started is stopped before the error is rethrown; a
 * port in use is reported in one line naming the port and the flag that moves it.
 *
 * @example
 * ```ts
 * const dev = await startDev({ projectDir: 'my-app', frontend: 'scripts/start-frontend.mjs', ports: { devnet: 0, gateway: 0, frontend: 0, admin: null } });
 * console.log(dev.frontendUrl, dev.canisterIds);
 * await dev.close();
 * ```
 */
export async function startDev(options: DevOptions = {}): Promise<DevSession> {
  const projectDir = resolve(options.projectDir ?? process.cwd());
  const ports = { ...DEV_DEFAULT_PORTS, ...options.ports };
  const host = options.host ?? '127.0.0.1';
  const stateDir = resolve(projectDir, options.stateDir ?? '.ic-ws');
  const progress = options.onProgress ?? (() => {});
  const log = options.onLog ?? ((line: string) => process.stderr.write(`${line}\n`));
  const verbose = options.verbose === true;
  const stack: { name: string; close: () => Promise<void> }[] = [];
  const closeAll = async (): Promise<void> => {
    // Reverse start order: the gateway's ws_close calls need the devnet still up.
    for (const part of stack.splice(0).reverse()) {
      await part.close().catch((error: unknown) => progress(`error while stopping the ${part.name}: ${String(error)}`));
    }
  };
  const wanted: [keyof typeof PORT_FLAGS, number | null][] = [
    ['devnet', ports.devnet],
    ['gateway', ports.gateway],
    ['admin', ports.admin],
    ...(options.frontend === undefined ? [] : ([['frontend', ports.frontend]] as [keyof typeof PORT_FLAGS, number][])),
  ];
  for (const [server, port] of wanted) {
    if (port !== null && !(await portIsFree(host, port))) throw portInUseError(server, host, port);
  }
  try {
    const canisters = await projectCanisters(projectDir, options.canisters);
    const built = [];
    // One after the other: an azle build takes ~400 MB, and two at once are no faster on two cores.
    for (const canister of canisters) {
      progress(`canister ${canister.name}: azle build (skipped when its sources are unchanged)`);
      const startedAt = performance.now();
      const result = await buildProjectCanister(projectDir, canister);
      progress(`canister ${canister.name}: ${result.cached ? 'unchanged, wasm taken from the cache' : `built in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`}`);
      built.push(result);
    }

    const devnetState = join(stateDir, DEVNET_STATE_FOLDER);
    if (options.clean === true) {
      progress(`--clean: forgetting the canisters and data kept in ${devnetState}`);
      await rm(devnetState, { recursive: true, force: true });
    }
    progress(`starting ic-ws-devnet on ${host}:${ports.devnet} (state in ${devnetState})`);
    const devnet: Devnet = await startDevnet({
      host,
      port: ports.devnet,
      stateDir: devnetState,
      log: (entry) => {
        if (verbose || entry.level === 'warn') log(`[devnet ${entry.level}] ${entry.source}: ${entry.message}`);
      },
    }).catch((error: unknown) => {
      throw portInUse(error, 'devnet', host, ports.devnet) ?? error;
    });
    stack.push({ name: 'devnet', close: () => devnet.close() });
    const canisterIds: Record<string, string> = {};
    for (const canister of built) {
      // By name: a restart finds the canister the last run installed, with its data, and upgrades changed code.
      const deployed = await devnet.deploy({ name: canister.name, wasm: new Uint8Array(await readFile(canister.wasmPath)) });
      canisterIds[canister.name] = deployed.canisterId.toText();
      progress(`canister ${canister.name}: ${deployed.action} as ${deployed.canisterId.toText()}`);
    }

    progress(`starting ic-ws-gateway on ${host}:${ports.gateway}`);
    const gateway: GatewayProcess = await startGatewayProcess({
      projectDir,
      host,
      port: ports.gateway,
      adminPort: ports.admin,
      icUrl: devnet.url,
      identityFile: join(stateDir, 'gateway-identity.pem'),
      verbose,
      onLog: log,
    }).catch((error: unknown) => {
      throw gatewayPortInUse(error) ?? error;
    });
    stack.push({ name: 'gateway', close: () => gateway.stop() });

    const config: DevConfig = { gatewayUrl: gateway.url, networkUrl: devnet.url, canisterIds };
    let frontend: RunningFrontend | undefined;
    if (options.frontend !== undefined) {
      progress(`starting the frontend on ${host}:${ports.frontend}`);
      frontend = await startFrontendModule(options.frontend, { host, port: ports.frontend, config, projectDir }).catch((error: unknown) => {
        throw portInUse(error, 'frontend', host, ports.frontend) ?? error;
      });
      const started = frontend;
      stack.push({ name: 'frontend', close: () => started.close() });
    }

    const info: DevSessionInfo = {
      ...config,
      frontendUrl: frontend?.url ?? null,
      adminUrl: gateway.adminUrl,
      gatewayPrincipal: gateway.principal,
      rootKeyHex: Buffer.from(devnet.rootKey).toString('hex'),
    };
    const sessionFile = await writeDevSession(stateDir, info);
    stack.push({ name: 'dev.json', close: () => removeDevSession(stateDir) });
    let closing: Promise<void> | undefined;
    return {
      ...info,
      cachedBuilds: built.filter((canister) => canister.cached).map((canister) => canister.name),
      sessionFile,
      gatewayExited: gateway.exited,
      close: () => (closing ??= closeAll()),
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/** A port in use, as one line naming the port and the flag that moves the server; `undefined` for other errors. */
function portInUse(error: unknown, server: keyof typeof PORT_FLAGS, host: string, port: number): IcWsError | undefined {
  const text = error instanceof Error ? `${(error as NodeJS.ErrnoException).code ?? ''} ${error.message}` : String(error);
  if (!/EADDRINUSE|already in use|is in use/.test(text)) return undefined;
  return portInUseError(server, host, port, error);
}

function portInUseError(server: keyof typeof PORT_FLAGS, host: string, port: number, cause?: unknown): IcWsError {
  const name = server === 'admin' ? "gateway's admin server" : server;
  return new IcWsError(ErrorCode.ListenFailed, `the ${name} cannot listen on ${host}:${port}: port ${port} is in use; choose another with ${PORT_FLAGS[server]}, or --port 0 for free ports`, cause === undefined ? {} : { cause });
}

function gatewayPortInUse(error: unknown): IcWsError | undefined {
  const match = /(WebSocket|admin) server cannot listen on (\S+): port (\d+) is in use/.exec(error instanceof Error ? error.message : String(error));
  if (match === null) return undefined;
  const [host, port] = [match[2]!.slice(0, match[2]!.lastIndexOf(':')), Number(match[3])];
  return portInUseError(match[1] === 'admin' ? 'admin' : 'gateway', host, port, error);
}
