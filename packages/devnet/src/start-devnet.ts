/**
 * `startDevnet`: the whole local Internet Computer in one call. Wires the execution engine (`Subnet`), the
 * certifier (root key, node key, state tree) and the IC HTTP interface together.
 */
import type { Principal } from '@dfinity/principal';
import { ErrorCode, IcWsError } from 'ic-ws-protocol';
import { Clock } from './scheduling/clock';
import { Subnet, type InstallArgs, type SubnetLogEntry, type UpgradeArgs } from './scheduling/subnet';
import type { ExecutionStats } from './execution/execution-stats';
import type { CallOutcome, CallRequest } from './execution/types';
import { startHttpServer } from './http/http-server';
import { RootKey } from './crypto/root-key';
import { Certifier } from './state/certifier';
import { IngressRounds } from './state/ingress-rounds';

/** Options of {@link startDevnet}. */
export interface DevnetOptions {
  /** Interface to listen on. Keep it on loopback: the devnet has no access control. @default '127.0.0.1' */
  host?: string;
  /** TCP port; 0 picks a free one. @default 0 */
  port?: number;
  /**
   * `'real'`: IC time follows the wall clock and timers fire on their own. `'manual'`: time moves only
   * through `advanceTime`, timers run only on `tick()` (deterministic tests). @default 'real'
   */
  time?: 'real' | 'manual';
  /** Start of IC time in manual mode, ms since the epoch. @default Date.now() */
  startTimeMs?: number;
  /**
   * 32-byte secret of the BLS root key, for a stable root key across restarts. @default a fresh random key
   */
  rootKeySecret?: Uint8Array;
  /**
   * Least time between two rounds of ingress execution, ms: calls arriving meanwhile wait and run together,
   * and the state they leave is certified once (one certificate per round, as on a replica, so certificate
   * caches hit). A call reaching an idle devnet runs at once. @default 200 with real time, 0 with manual time
   */
  roundIntervalMs?: number;
  /**
   * Mainnet-shaped certificates: the canisters' subnet is an application subnet, not the root subnet; its own
   * key signs the state and every certificate carries a `delegation` from the root key (subnet id, key and
   * canister ranges), so agents run their delegation checks as against mainnet. @default false (the devnet is
   * the root subnet, as dfx's local replica)
   */
  delegatedCertificates?: boolean;
  /**
   * The canister id ranges (inclusive `[low, high]` pairs) the subnet's certificates say it hosts, in
   * `subnet/<id>/canister_ranges` and in the delegation. Agents refuse certificates for canisters outside
   * them; ids are still allocated from the devnet's own range. @default [canisterIdRange()]
   */
  canisterRanges?: readonly (readonly [Principal, Principal])[];
  /** Serve the synchronous v3 call endpoint (else agents fall back to v2 call + polling). @default true */
  syncCall?: boolean;
  /**
   * Count instructions and cycles as a replica does and enforce its instruction limits (see docs/devnet.md,
   * "Instruction metering"). @default true
   */
  metering?: boolean;
  /** Receives what every execution cost: canister, kind, method, instructions, cycles, timings. @default none */
  onExecution?: (stats: ExecutionStats) => void;
  /** Canister debug output, per-execution costs (`execution` entries) and engine warnings. @default dropped */
  log?: (entry: SubnetLogEntry) => void;
}

/** Defaults of {@link DevnetOptions}. */
export const DEVNET_DEFAULTS = {
  host: '127.0.0.1',
  port: 0,
  time: 'real',
  syncCall: true,
  metering: true,
} as const satisfies DevnetOptions;

/** Default `roundIntervalMs` by time mode: manual time is for step-by-step tests, which should not wait. */
export const DEFAULT_ROUND_INTERVAL_MS = { real: 200, manual: 0 } as const;

/** A running devnet. */
export interface Devnet {
  /** Base URL for agents (`HttpAgent.create({ host: url, shouldFetchRootKey: true })`). */
  readonly url: string;
  /** The root key, DER-encoded (133 bytes): what `/api/v2/status` serves and certificates verify against. */
  readonly rootKey: Uint8Array;
  /** Installs a canister and runs its init; resolves to its id (deterministic: the n-th install gets the n-th id). */
  install(args: InstallArgs): Promise<Principal>;
  /** Upgrades a canister: pre_upgrade, fresh heap, stable memory kept, post_upgrade. */
  upgrade(args: UpgradeArgs): Promise<void>;
  /**
   * Runs an update call directly, bypassing HTTP and signatures (setup and benchmarks). The outcome's `cost`
   * holds the instructions and cycles it took.
   */
  update(request: CallRequest): Promise<CallOutcome>;
  /** Runs a query directly, bypassing HTTP and signatures; `cost` as for `update`. */
  query(request: CallRequest): Promise<CallOutcome>;
  /** Moves IC time forward (manual time only). */
  advanceTime(ms: number): void;
  /** Runs every due global timer and drains inter-canister calls. */
  tick(): Promise<void>;
  /** The canisters installed, in install order. */
  canisterIds(): Principal[];
  /** Stops the HTTP server and the engine. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts a local Internet Computer on loopback that runs real canister wasm (as `azle build` makes it)
 * behind the IC HTTP interface, so `@dfinity/agent` works against it with every verification on.
 *
 * @example
 * ```ts
 * const devnet = await startDevnet();
 * const canisterId = await devnet.install({ wasm: await readFile('counter.wasm') });
 * const agent = await HttpAgent.create({ host: devnet.url, shouldFetchRootKey: true });
 * const counter = Actor.createActor(idlFactory, { agent, canisterId });
 * await counter.increment();
 * await devnet.close();
 * ```
 */
export async function startDevnet(options: DevnetOptions = {}): Promise<Devnet> {
  const settings = { ...DEVNET_DEFAULTS, ...options };
  if (settings.time !== 'real' && settings.time !== 'manual') {
    throw new IcWsError(ErrorCode.InvalidOptions, `time must be 'real' or 'manual', got ${String(settings.time)}`);
  }
  const clock = new Clock({ mode: settings.time, ...(settings.startTimeMs === undefined ? {} : { startMs: settings.startTimeMs }) });
  // The certifier reads the engine's state lazily and the engine asks the certifier for data certificates,
  // so the certifier is created first and forwards to the engine assigned right after it.
  let env: Subnet | undefined;
  const live = (): Subnet => {
    if (!env) throw new IcWsError(ErrorCode.DevnetClosed, 'the devnet engine is not running');
    return env;
  };
  const certifier = new Certifier({
    state: {
      canisterIds: () => live().canisterIds(),
      certifiedData: (id) => live().certifiedData(id),
      now: () => clock.now(),
    },
    ...(settings.rootKeySecret ? { rootKey: RootKey.create(settings.rootKeySecret) } : {}),
    ...(settings.delegatedCertificates ? { subnetKey: RootKey.create() } : {}),
    ...(settings.canisterRanges ? { canisterRanges: settings.canisterRanges } : {}),
  });
  env = new Subnet({
    clock,
    dataCertificate: (id) => certifier.dataCertificate(id),
    metering: settings.metering,
    ...(settings.onExecution ? { onExecution: settings.onExecution } : {}),
    ...(settings.log ? { log: settings.log } : {}),
  });
  const rounds = new IngressRounds({ intervalMs: settings.roundIntervalMs ?? DEFAULT_ROUND_INTERVAL_MS[settings.time] });
  const server = await startHttpServer({
    env,
    certifier,
    rounds,
    host: settings.host,
    port: settings.port,
    syncCall: settings.syncCall,
  });
  const subnet = env;
  let closing: Promise<void> | undefined;
  return {
    url: server.url,
    rootKey: server.rootKey,
    install: (args) => subnet.install(args),
    upgrade: (args) => subnet.upgrade(args),
    update: (request) => subnet.update(request),
    query: (request) => subnet.query(request),
    advanceTime: (ms) => subnet.advanceTime(ms),
    tick: () => subnet.tick(),
    canisterIds: () => subnet.canisterIds(),
    close: () => (closing ??= Promise.all([server.close(), subnet.close()]).then(() => undefined)),
  };
}
