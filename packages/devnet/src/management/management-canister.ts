/**
 * The management canister (`aaaaa-aa`) over the subnet's canisters: creating them, installing code (whole
 * or from chunks), reading their status, stopping, starting and deleting them, changing controllers, and
 * `raw_rand`. Callers are users (ingress) or canisters; each method checks its caller as the replica does
 * (see management-errors.ts for the sources of codes and wording). Every method runs as one message of the
 * subnet's queue, so installs and upgrades are serialized with all other executions.
 */
import { webcrypto } from 'node:crypto';
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { canisterNotFound, type RejectedOutcome } from '../execution/replica-errors';
import type { CallOutcome } from '../execution/types';
import { MAX_CONTROLLERS, type ManagedCanister } from '../scheduling/managed-canister';
import { debugBytes } from '../scheduling/wasm-chunk-store';
import {
  chunkStoreError,
  createCanisterViaIngress,
  deleteNotStopped,
  deleteSelf,
  ingressNotController,
  invalidPayload,
  invalidSettings,
  invalidWasmHash,
  managedCanisterNotFound,
  notController,
  onlyCanisters,
  unknownManagementMethod,
} from './management-errors';
import { isManagementMethod, MANAGEMENT_METHODS, type ManagementMethod } from './management-idl';

/** Text form of the management canister's id. */
export const MANAGEMENT_CANISTER_TEXT = 'aaaaa-aa';

/** Whether `callee` (raw principal bytes) is the management canister (the empty principal). */
export function isManagementCanister(callee: Uint8Array): boolean {
  return callee.length === 0;
}

/** How `install_code` replaces a canister's code. */
export type InstallMode = 'install' | 'reinstall' | 'upgrade';

/** An install the subnet carries out. */
export interface InstallRequest {
  readonly mode: InstallMode;
  readonly wasm: Uint8Array;
  readonly arg: Uint8Array;
  /** `upgrade` only: run no `canister_pre_upgrade`. */
  readonly skipPreUpgrade: boolean;
  /** Who asked: `msg_caller` of init and the upgrade hooks. */
  readonly caller: Uint8Array;
}

/** What the management canister needs from the subnet. */
export interface ManagementHost {
  canister(id: Uint8Array): ManagedCanister | undefined;
  /** Creates an empty canister (at `specifiedId` when given), or says why not. */
  createCanister(controllers: readonly Uint8Array[], specifiedId: Principal | undefined): ManagedCanister | RejectedOutcome;
  /** Installs, reinstalls or upgrades; undefined on success, else the reject (a trap rolls everything back). */
  installCode(canister: ManagedCanister, request: InstallRequest): RejectedOutcome | undefined;
  /** Removes the code and state, keeping the canister (empty). */
  uninstallCode(canister: ManagedCanister): void;
  deleteCanister(canister: ManagedCanister): void;
  /** The canister's status changed (timers start or stop firing). */
  statusChanged(canister: ManagedCanister): void;
  /** Cycle balance every canister reports. */
  readonly cycleBalance: bigint;
}

/** Who sends a management message: a user's ingress message, or a canister (or the subnet itself). */
export type ManagementCaller = { readonly kind: 'ingress' | 'canister'; readonly id: Uint8Array };

type Decoded = Record<string, unknown>;

/** Methods only a controller of the named canister may call. */
const CONTROLLER_ONLY: ReadonlySet<string> = new Set([
  'install_code',
  'install_chunked_code',
  'uninstall_code',
  'upload_chunk',
  'clear_chunk_store',
  'stored_chunks',
  'canister_status',
  'start_canister',
  'stop_canister',
  'delete_canister',
  'update_settings',
]);

/** Methods users may not call as ingress, whoever they are. */
const CANISTERS_ONLY: ReadonlySet<string> = new Set(['raw_rand', 'http_request', 'deposit_cycles', 'canister_info', 'sign_with_ecdsa', 'sign_with_schnorr']);

/** Default settings the devnet reports (it models controllers only): the IC's defaults. */
const DEFAULT_SETTINGS = {
  compute_allocation: 0n,
  memory_allocation: 0n,
  freezing_threshold: 2_592_000n,
  reserved_cycles_limit: 5_000_000_000_000n,
  log_visibility: { controllers: null },
  wasm_memory_limit: 3_221_225_472n,
  wasm_memory_threshold: 0n,
  environment_variables: [],
} as const;

function decodeArg(method: ManagementMethod, arg: Uint8Array): Decoded | RejectedOutcome {
  const type = MANAGEMENT_METHODS[method].arg;
  if (type === undefined) return {};
  try {
    const [value] = IDL.decode([type], arg);
    return value as Decoded;
  } catch (error) {
    return invalidPayload(error instanceof Error ? error.message : String(error));
  }
}

function isReject(value: unknown): value is RejectedOutcome {
  return typeof value === 'object' && value !== null && (value as { status?: unknown }).status === 'rejected';
}

function reply(method: ManagementMethod, value?: unknown): CallOutcome {
  const type = MANAGEMENT_METHODS[method].result;
  return { status: 'replied', reply: new Uint8Array(type === undefined ? IDL.encode([], []) : IDL.encode([type], [value])) };
}

function opt<T>(value: unknown): T | undefined {
  return Array.isArray(value) && value.length > 0 ? (value[0] as T) : undefined;
}

/**
 * The canister a management call is about, by the interface specification's effective canister id rule:
 * `target_canister` for `install_chunked_code`, else the argument's `canister_id`; `'any'` for
 * `provisional_create_canister_with_cycles` (and `create_canister`, which ingress may not call anyway);
 * undefined when the argument names none (or does not decode): the call is then refused.
 */
export function managementEffectiveCanisterId(method: string, arg: Uint8Array): Principal | 'any' | undefined {
  if (method === 'provisional_create_canister_with_cycles' || method === 'create_canister') return 'any';
  if (!isManagementMethod(method)) return undefined;
  const decoded = decodeArg(method, arg);
  if (isReject(decoded)) return undefined;
  const target = method === 'install_chunked_code' ? decoded.target_canister : decoded.canister_id;
  return target instanceof Principal ? target : undefined;
}

/** The management canister of one subnet. */
export class ManagementCanister {
  constructor(private readonly host: ManagementHost) {}

  /**
   * The replica's ingress filter for messages to `aaaaa-aa`: methods users may not call, canisters that do
   * not exist, senders that are not controllers. A refusal here leaves nothing certified.
   */
  filterIngress(method: string, arg: Uint8Array, sender: Uint8Array): RejectedOutcome | undefined {
    if (method === 'create_canister') return createCanisterViaIngress();
    if (CANISTERS_ONLY.has(method)) return onlyCanisters(method);
    if (!isManagementMethod(method)) return unknownManagementMethod(method);
    if (!CONTROLLER_ONLY.has(method)) return undefined;
    const target = managementEffectiveCanisterId(method, arg);
    if (!(target instanceof Principal)) return undefined; // a bad argument is rejected when executed
    const canister = this.host.canister(target.toUint8Array());
    if (canister === undefined) return canisterNotFound(target.toText());
    if (!canister.isController(sender)) return ingressNotController(target.toText(), method);
    return undefined;
  }

  /** Executes one management message. */
  call(method: string, arg: Uint8Array, caller: ManagementCaller): CallOutcome {
    if (!isManagementMethod(method)) return unknownManagementMethod(method);
    if (caller.kind === 'ingress' && method === 'create_canister') return createCanisterViaIngress();
    if (caller.kind === 'ingress' && CANISTERS_ONLY.has(method)) return onlyCanisters(method);
    const decoded = decodeArg(method, arg);
    if (isReject(decoded)) return decoded;
    switch (method) {
      case 'raw_rand':
        return reply(method, webcrypto.getRandomValues(new Uint8Array(32)));
      case 'provisional_create_canister_with_cycles':
      case 'create_canister':
        return this.#create(method, decoded, caller);
      default:
        return this.#onCanister(method, decoded, caller);
    }
  }

  #create(method: 'provisional_create_canister_with_cycles' | 'create_canister', decoded: Decoded, caller: ManagementCaller): CallOutcome {
    const settings = opt<Decoded>(decoded.settings);
    const controllers = opt<Principal[]>(settings?.controllers)?.map((p) => p.toUint8Array()) ?? [caller.id];
    if (controllers.length > MAX_CONTROLLERS) {
      return invalidSettings(`Invalid settings: 'controllers' length exceeds maximum size allowed of ${MAX_CONTROLLERS}.`);
    }
    const specifiedId = method === 'provisional_create_canister_with_cycles' ? opt<Principal>(decoded.specified_id) : undefined;
    const created = this.host.createCanister(controllers, specifiedId);
    if (isReject(created)) return created;
    return reply(method, { canister_id: created.id });
  }

  #onCanister(method: Exclude<ManagementMethod, 'raw_rand' | 'provisional_create_canister_with_cycles' | 'create_canister'>, decoded: Decoded, caller: ManagementCaller): CallOutcome {
    const targetId = (method === 'install_chunked_code' ? decoded.target_canister : decoded.canister_id) as Principal;
    const canister = this.host.canister(targetId.toUint8Array());
    if (canister === undefined) return managedCanisterNotFound(targetId.toText());
    if (!canister.isController(caller.id)) {
      if (caller.kind === 'ingress') return ingressNotController(canister.idText, method);
      return notController(canister.idText, canister.controllersText(), Principal.fromUint8Array(caller.id).toText());
    }
    switch (method) {
      case 'install_code':
        return this.#install(method, canister, decoded, decoded.wasm_module as Uint8Array, caller);
      case 'install_chunked_code': {
        const store = this.#storeCanister(decoded, canister, caller);
        if (isReject(store)) return store;
        const moduleHash = decoded.wasm_module_hash as Uint8Array;
        if (moduleHash.length !== 32) return invalidWasmHash(debugBytes(moduleHash));
        const hashes = (decoded.chunk_hashes_list as { hash: Uint8Array }[]).map((chunk) => chunk.hash);
        const assembled = store.chunks.assemble(hashes, moduleHash);
        if ('error' in assembled) return chunkStoreError(assembled.error);
        return this.#install(method, canister, decoded, assembled.wasm, caller);
      }
      case 'uninstall_code':
        this.host.uninstallCode(canister);
        return reply(method);
      case 'upload_chunk': {
        const stored = canister.chunks.upload(decoded.chunk as Uint8Array);
        if ('error' in stored) return chunkStoreError(stored.error);
        canister.settingsChanges++;
        return reply(method, { hash: stored.hash });
      }
      case 'clear_chunk_store':
        canister.chunks.clear();
        canister.settingsChanges++;
        return reply(method);
      case 'stored_chunks':
        return reply(method, canister.chunks.hashes().map((hash) => ({ hash })));
      case 'canister_status':
        return reply(method, this.#status(canister));
      case 'stop_canister':
        // Executions never span messages here, so stopping completes at once: no `stopping` phase.
        if (canister.status !== 'stopped') {
          canister.status = 'stopped';
          canister.settingsChanges++;
          this.host.statusChanged(canister);
        }
        return reply(method);
      case 'start_canister':
        if (canister.status !== 'running') {
          canister.status = 'running';
          canister.settingsChanges++;
          this.host.statusChanged(canister);
        }
        return reply(method);
      case 'delete_canister':
        if (caller.kind === 'canister' && samePrincipal(caller.id, canister.idBytes)) return deleteSelf(canister.idText);
        if (canister.status !== 'stopped') return deleteNotStopped(canister.idText);
        this.host.deleteCanister(canister);
        return reply(method);
      case 'update_settings': {
        const controllers = opt<Principal[]>((decoded.settings as Decoded).controllers);
        if (controllers !== undefined) {
          if (controllers.length > MAX_CONTROLLERS) {
            return invalidSettings(`Invalid settings: 'controllers' length exceeds maximum size allowed of ${MAX_CONTROLLERS}.`);
          }
          canister.controllers = controllers.map((controller) => controller.toUint8Array());
        }
        canister.bumpVersion();
        canister.settingsChanges++;
        return reply(method);
      }
    }
  }

  /** The canister whose chunk store `install_chunked_code` reads: `store_canister`, by default the target. */
  #storeCanister(decoded: Decoded, target: ManagedCanister, caller: ManagementCaller): ManagedCanister | RejectedOutcome {
    const storeId = opt<Principal>(decoded.store_canister);
    if (storeId === undefined) return target;
    const store = this.host.canister(storeId.toUint8Array());
    if (store === undefined) return managedCanisterNotFound(storeId.toText());
    if (!store.isController(caller.id)) {
      return caller.kind === 'ingress'
        ? ingressNotController(store.idText, 'install_chunked_code')
        : notController(store.idText, store.controllersText(), Principal.fromUint8Array(caller.id).toText());
    }
    return store;
  }

  #install(method: 'install_code' | 'install_chunked_code', canister: ManagedCanister, decoded: Decoded, wasm: Uint8Array, caller: ManagementCaller): CallOutcome {
    const mode = decoded.mode as { install?: null; reinstall?: null; upgrade?: [] | [{ skip_pre_upgrade: [] | [boolean] }] };
    const kind: 'install' | 'reinstall' | 'upgrade' = 'install' in mode ? 'install' : 'reinstall' in mode ? 'reinstall' : 'upgrade';
    const flags = opt<{ skip_pre_upgrade: [] | [boolean] }>(mode.upgrade);
    const failed = this.host.installCode(canister, {
      mode: kind,
      wasm,
      arg: decoded.arg as Uint8Array,
      skipPreUpgrade: opt<boolean>(flags?.skip_pre_upgrade) === true,
      caller: caller.id,
    });
    return failed ?? reply(method);
  }

  #status(canister: ManagedCanister): unknown {
    const instance = canister.instance;
    const wasmMemory = BigInt(instance?.heapBytes ?? 0);
    const stableMemory = BigInt((instance?.stable.size() ?? 0) * 65_536);
    const binary = BigInt(instance?.wasmBytes ?? 0);
    const chunkStore = BigInt(canister.chunks.size);
    return {
      status: canister.status === 'running' ? { running: null } : { stopped: null },
      ready_for_migration: false,
      version: canister.version,
      settings: { ...DEFAULT_SETTINGS, controllers: canister.controllers.map((c) => Principal.fromUint8Array(c)) },
      module_hash: instance === undefined ? [] : [Uint8Array.from(Buffer.from(instance.moduleHash, 'hex'))],
      memory_size: wasmMemory + stableMemory + binary + chunkStore,
      memory_metrics: {
        wasm_memory_size: wasmMemory,
        stable_memory_size: stableMemory,
        global_memory_size: 0n,
        wasm_binary_size: binary,
        custom_sections_size: 0n,
        canister_history_size: 0n,
        wasm_chunk_store_size: chunkStore,
        snapshots_size: 0n,
      },
      cycles: this.host.cycleBalance,
      reserved_cycles: 0n,
      idle_cycles_burned_per_day: 0n,
      query_stats: { num_calls_total: 0n, num_instructions_total: 0n, request_payload_bytes_total: 0n, response_payload_bytes_total: 0n },
    };
  }
}

function samePrincipal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
