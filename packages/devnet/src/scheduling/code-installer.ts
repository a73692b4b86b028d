/**
 * `install_code` on one canister, in each mode: `install` (empty canister only), `reinstall` (fresh heap and
 * stable memory) and `upgrade` (`canister_pre_upgrade` on the old module, a fresh instance of the new one with
 * stable memory kept, `canister_post_upgrade`). Any trap, or a module that does not load, puts the canister
 * back exactly as it was and answers with the replica's reject.
 */
import { gunzipSync } from 'node:zlib';
import { IcWsError } from 'ic-ws-protocol';
import { CanisterInstance, type CanisterInstanceHooks } from '../execution/canister-instance';
import { INSTRUCTION_LIMITS } from '../execution/instruction-limits';
import type { RejectedOutcome } from '../execution/replica-errors';
import { canisterNonEmpty, invalidWasm, wasmModuleNotFound } from '../management/management-errors';
import type { InstallRequest } from '../management/management-canister';
import type { CanisterImage } from '../persistence/canister-image';
import type { ManagedCanister } from './managed-canister';

/** Candid encoding of "no arguments". */
export const EMPTY_CANDID = Uint8Array.from([0x44, 0x49, 0x44, 0x4c, 0x00, 0x00]);

/** What an install needs from the subnet. */
export interface CodeInstallerHost {
  /** Hooks for a new instance of `canister`. */
  hooks(canister: ManagedCanister): CanisterInstanceHooks;
  /** IC time for the hooks' executions. */
  now(): bigint;
}

/** The replica accepts gzip-compressed modules (dfx sends them): they are unpacked first. */
function unpack(wasm: Uint8Array): Uint8Array {
  return wasm[0] === 0x1f && wasm[1] === 0x8b ? new Uint8Array(gunzipSync(wasm)) : wasm;
}

/** Runs `entry` of `instance` if exported; returns the trap's reject (or undefined) and the instructions it used. */
export function runLifecycleHook(
  instance: CanisterInstance,
  kind: 'init' | 'pre_upgrade' | 'post_upgrade',
  arg: Uint8Array | undefined,
  caller: Uint8Array,
  time: bigint,
  limit?: bigint,
): { trapped: RejectedOutcome | undefined; instructions: bigint } {
  const entry = `canister_${kind}`;
  if (!instance.hasExport(entry)) return { trapped: undefined, instructions: 0n };
  const result = instance.execute({ kind, arg: arg ?? EMPTY_CANDID, caller, time }, { export: entry }, limit === undefined ? {} : { limit });
  return { trapped: result.trap?.toOutcome(instance.idText), instructions: result.instructions ?? 0n };
}

/** Installs code into `canister` as `request.mode` says; undefined on success, else the reject. */
export function installCode(host: CodeInstallerHost, canister: ManagedCanister, request: InstallRequest): RejectedOutcome | undefined {
  if (request.mode === 'install' && canister.instance !== undefined) return canisterNonEmpty(canister.idText);
  if (request.mode === 'upgrade') return upgrade(host, canister, request);
  let wasm: Uint8Array;
  let fresh: CanisterInstance;
  try {
    wasm = unpack(request.wasm);
    fresh = new CanisterInstance(canister.id, wasm, [], host.hooks(canister));
  } catch (error) {
    return invalidWasm(canister.idText, error instanceof IcWsError || error instanceof Error ? error.message : String(error));
  }
  const previous = canister.instance;
  canister.instance = fresh;
  const { trapped } = runLifecycleHook(fresh, 'init', request.arg, request.caller, host.now());
  if (trapped !== undefined) {
    canister.instance = previous;
    return trapped;
  }
  canister.bumpVersion();
  return undefined;
}

function upgrade(host: CodeInstallerHost, canister: ManagedCanister, request: InstallRequest): RejectedOutcome | undefined {
  const instance = canister.instance;
  if (instance === undefined) return wasmModuleNotFound(canister.idText);
  // The whole install_code message is atomic: a failure after pre_upgrade committed restores the canister as
  // it was before pre_upgrade ran, heap included (a full copy: upgrades are rare).
  const before = savedState(instance, canister);
  // pre_upgrade and post_upgrade run in one install_code message: they share its instruction limit.
  let preUpgradeInstructions = 0n;
  if (!request.skipPreUpgrade) {
    const { trapped, instructions } = runLifecycleHook(instance, 'pre_upgrade', undefined, request.caller, host.now());
    if (trapped !== undefined) return trapped;
    preUpgradeInstructions = instructions;
  }
  let restoreModule: () => void;
  try {
    restoreModule = instance.swapModule(unpack(request.wasm));
  } catch (error) {
    instance.restoreState(before);
    return invalidWasm(canister.idText, error instanceof Error ? error.message : String(error));
  }
  instance.globalTimer = 0n;
  const { trapped } = runLifecycleHook(instance, 'post_upgrade', request.arg, request.caller, host.now(), INSTRUCTION_LIMITS.installCode - preUpgradeInstructions);
  if (trapped !== undefined) {
    restoreModule();
    instance.restoreState(before);
    return trapped;
  }
  canister.bumpVersion();
  return undefined;
}

/** A full copy of an instance's committed state, to put back with `restoreState`. */
function savedState(instance: CanisterInstance, canister: ManagedCanister): CanisterImage {
  const live = instance.persistentState(canister.settingsImage());
  return {
    id: live.id,
    moduleHash: live.moduleHash,
    heap: live.heap.slice(),
    globals: [...live.globals],
    stablePages: live.stable.pages,
    stableChunks: new Map(live.stable.chunks),
    certifiedData: live.certifiedData,
    globalTimer: live.globalTimer,
    version: live.version,
    settings: live.settings,
  };
}
