/**
 * `startDevnet`: the whole local Internet Computer in one call. Wires the execution engine (`Subnet`), the
 * certifier (root key, node key, state tree) and the IC HTTP interface together.
 */
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { Principal } from '@dfinity/principal';
import { ErrorCode, IcWsError } from 'ic-ws-protocol';
import { Clock } from './scheduling/clock';
import { Subnet, type InstallArgs, type SubnetLogEntry, type UpgradeArgs } from './scheduling/subnet';
import type { ExecutionStats } from './execution/execution-stats';
import type { CallOutcome, CallRequest } from './execution/types';
import { startHttpServer } from './http/http-server';
import { NodeKey } from './crypto/node-key';
import { RootKey } from './crypto/root-key';
import { openDevnetState, type DevnetState } from './persistence/devnet-state';
import type { DevnetKeys } from './persistence/state-dir';
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
  /**
   * Keep the devnet's state in this directory (created when absent): canisters (ids, code, heap, stable
   * memory, globals, certified data, timers, controllers, status, chunk stores), the root, subnet and node
   * keys, and IC time. A devnet started again on it serves the same canisters in the same state under the
   * same root key, IC time never going back. Every acknowledged update is on disk before its answer leaves
   * (a journal of checksummed records, `fdatasync`ed; a `kill -9` loses nothing acknowledged); `close()`
   * writes a checkpoint. One devnet at a time per directory (`STATE_DIR_LOCKED`). @default undefined: state
   * lives in memory and is gone after `close()`
   */
  stateDir?: string;
}

/** Defaults of {@link DevnetOptions}. */
export const DEVNET_DEFAULTS = {
  host: '127.0.0.1',
  port: 0,
  time: 'real',
  syncCall: true,
  metering: true,
} as const satisfies DevnetOptions;

/** Arguments of `Devnet.deploy`. */
export interface DeployArgs {
  /**
   * The canister's name (its dfx.json name, say): deploying the same name again finds the same canister,
   * after a restart on the same `stateDir` too.
   */
  name: string;
  wasm: Uint8Array;
  /** Candid argument of `canister_init` (first deploy) and of `canister_post_upgrade` (later ones). @default empty */
  arg?: Uint8Array;
  /** For the first deploy only. @default the next free id */
  canisterId?: Principal;
  /** For the first deploy only. @default [anonymous] */
  controllers?: Principal[];
}

/** What `Devnet.deploy` did. */
export interface Deployed {
  readonly canisterId: Principal;
  /** `installed` a new canister, `upgraded` it to a different module, or left it `unchanged` (same module). */
  readonly action: 'installed' | 'upgraded' | 'unchanged';
}

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
   * Installs the canister called `name`, or, when a canister of that name exists, upgrades it if its module
   * differs (as `dfx deploy` does). Names persist with `stateDir`, so a restarted devnet finds its canisters.
   */
  deploy(args: DeployArgs): Promise<Deployed>;
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
  /** The canisters, in creation order (those restored from `stateDir` first). */
  canisterIds(): Principal[];
  /** The state directory in use, and whether this run restored an earlier one's state. */
  readonly state: { readonly dir: string; readonly restored: boolean } | undefined;
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
  const { keys, persisted } = openDevnetState(settings.stateDir, settings.rootKeySecret);
  try {
    return await assemble(settings, keys, persisted);
  } catch (error) {
    persisted?.persister.close();
    throw error;
  }
}

/** The sha256 (hex) a canister reports for `wasm` (of the unpacked module when it is gzipped). */
function moduleHash(wasm: Uint8Array): string {
  const unpacked = wasm[0] === 0x1f && wasm[1] === 0x8b ? gunzipSync(wasm) : wasm;
  return createHash('sha256').update(unpacked).digest('hex');
}

function withoutName(args: DeployArgs): Omit<InstallArgs, 'wasm'> {
  return {
    ...(args.arg ? { arg: args.arg } : {}),
    ...(args.canisterId ? { canisterId: args.canisterId } : {}),
    ...(args.controllers ? { controllers: args.controllers } : {}),
  };
}

type DevnetSettings = DevnetOptions & Required<Pick<DevnetOptions, 'host' | 'port' | 'time' | 'syncCall'>>;

async function assemble(settings: DevnetSettings, keys: DevnetKeys, persisted: DevnetState['persisted']): Promise<Devnet> {
  const clock = new Clock({
    mode: settings.time,
    ...(settings.startTimeMs === undefined ? {} : { startMs: settings.startTimeMs }),
    ...(persisted ? { notBeforeNs: persisted.restored.timeNs } : {}),
  });
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
    rootKey: RootKey.create(keys.rootKeySecret),
    nodeKeys: keys.nodeKeySecrets.map((secret) => NodeKey.create(secret)),
    ...(settings.delegatedCertificates ? { subnetKey: RootKey.create(keys.subnetKeySecret) } : {}),
    ...(settings.canisterRanges ? { canisterRanges: settings.canisterRanges } : {}),
  });
  let closed = false;
  /** Canister names given by `deploy`, kept with the state. */
  const names = new Map<string, Uint8Array>(persisted?.restored.names ?? []);
  /** Persists what changed (a no-op without a state directory): called wherever the state moved. */
  const commit = (force = false): void => {
    if (persisted && !closed) persisted.persister.commit({ ...subnet.persistable(), names }, { force });
  };
  const warn = (message: string) => settings.log?.({ level: 'warn', source: 'state', message });
  env = new Subnet({
    clock,
    dataCertificate: (id, ranges) => certifier.dataCertificate(id, ranges),
    metering: settings.metering,
    ...(settings.onExecution ? { onExecution: settings.onExecution } : {}),
    ...(settings.log ? { log: settings.log } : {}),
    afterTimers: () => {
      try {
        commit();
      } catch (error) {
        warn(`could not persist what timers changed: ${String(error)}`);
      }
    },
  });
  const subnet = env;
  if (persisted) subnet.restore(persisted.restored, (hash) => persisted.persister.readModule(hash));
  const rounds = new IngressRounds({
    intervalMs: settings.roundIntervalMs ?? DEFAULT_ROUND_INTERVAL_MS[settings.time],
    // Before any caller of the round hears back: an acknowledged update is on disk.
    afterRound: () => commit(),
  });
  const server = await startHttpServer({
    env,
    certifier,
    rounds,
    host: settings.host,
    port: settings.port,
    syncCall: settings.syncCall,
  });
  /** Runs a direct API operation, then persists what it changed (even when it failed halfway). */
  const persisting = async <T>(run: () => Promise<T>, force = false): Promise<T> => {
    try {
      return await run();
    } finally {
      commit(force);
    }
  };
  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    await server.close();
    await rounds.flush();
    await subnet.close();
    if (persisted) {
      commit(true);
      persisted.persister.checkpoint();
      persisted.persister.close();
    }
    closed = true;
  };
  return {
    url: server.url,
    rootKey: server.rootKey,
    install: (args) => persisting(() => subnet.install(args)),
    upgrade: (args) => persisting(() => subnet.upgrade(args)),
    deploy: (args) =>
      persisting(async () => {
        const known = names.get(args.name);
        const existing = known === undefined ? undefined : Principal.fromUint8Array(known);
        if (existing !== undefined && subnet.hasCanister(existing)) {
          if (subnet.moduleHashOf(existing) === moduleHash(args.wasm)) return { canisterId: existing, action: 'unchanged' };
          await subnet.upgrade({ canisterId: existing, wasm: args.wasm, ...(args.arg ? { arg: args.arg } : {}) });
          return { canisterId: existing, action: 'upgraded' };
        }
        const canisterId = await subnet.install({ wasm: args.wasm, ...withoutName(args) });
        names.set(args.name, canisterId.toUint8Array());
        return { canisterId, action: 'installed' };
      }),
    update: (request) => persisting(() => subnet.update(request)),
    query: (request) => subnet.query(request),
    advanceTime: (ms) => {
      subnet.advanceTime(ms);
      commit(true);
    },
    tick: () => persisting(() => subnet.tick()),
    canisterIds: () => subnet.canisterIds(),
    state: settings.stateDir === undefined || !persisted ? undefined : { dir: settings.stateDir, restored: !persisted.created },
    close: () => (closing ??= close()),
  };
}
