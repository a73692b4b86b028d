/**
 * Candid types of the management canister methods the devnet implements, as the interface specification's
 * `ic.did` declares them (dfinity/portal docs/references/_attachments/ic.did). Arguments decode against these;
 * replies encode with every field the current `ic.did` has, so clients built against older or newer
 * versions of it read them (Candid ignores record fields a reader does not know).
 */
import { IDL } from '@dfinity/candid';

const LogVisibility = IDL.Variant({ controllers: IDL.Null, public: IDL.Null, allowed_viewers: IDL.Vec(IDL.Principal) });
const EnvironmentVariable = IDL.Record({ name: IDL.Text, value: IDL.Text });

export const CanisterSettings = IDL.Record({
  controllers: IDL.Opt(IDL.Vec(IDL.Principal)),
  compute_allocation: IDL.Opt(IDL.Nat),
  memory_allocation: IDL.Opt(IDL.Nat),
  freezing_threshold: IDL.Opt(IDL.Nat),
  reserved_cycles_limit: IDL.Opt(IDL.Nat),
  log_visibility: IDL.Opt(LogVisibility),
  wasm_memory_limit: IDL.Opt(IDL.Nat),
  wasm_memory_threshold: IDL.Opt(IDL.Nat),
  environment_variables: IDL.Opt(IDL.Vec(EnvironmentVariable)),
});

const DefiniteCanisterSettings = IDL.Record({
  controllers: IDL.Vec(IDL.Principal),
  compute_allocation: IDL.Nat,
  memory_allocation: IDL.Nat,
  freezing_threshold: IDL.Nat,
  reserved_cycles_limit: IDL.Nat,
  log_visibility: LogVisibility,
  wasm_memory_limit: IDL.Nat,
  wasm_memory_threshold: IDL.Nat,
  environment_variables: IDL.Vec(EnvironmentVariable),
});

export const CanisterInstallMode = IDL.Variant({
  install: IDL.Null,
  reinstall: IDL.Null,
  upgrade: IDL.Opt(
    IDL.Record({
      skip_pre_upgrade: IDL.Opt(IDL.Bool),
      wasm_memory_persistence: IDL.Opt(IDL.Variant({ keep: IDL.Null, replace: IDL.Null })),
    }),
  ),
});

const ChunkHash = IDL.Record({ hash: IDL.Vec(IDL.Nat8) });
const CanisterIdRecord = IDL.Record({ canister_id: IDL.Principal });

/** Argument and result types per method. */
export const MANAGEMENT_METHODS = {
  provisional_create_canister_with_cycles: {
    arg: IDL.Record({
      amount: IDL.Opt(IDL.Nat),
      settings: IDL.Opt(CanisterSettings),
      specified_id: IDL.Opt(IDL.Principal),
      sender_canister_version: IDL.Opt(IDL.Nat64),
    }),
    result: CanisterIdRecord,
  },
  create_canister: {
    arg: IDL.Record({ settings: IDL.Opt(CanisterSettings), sender_canister_version: IDL.Opt(IDL.Nat64) }),
    result: CanisterIdRecord,
  },
  install_code: {
    arg: IDL.Record({
      mode: CanisterInstallMode,
      canister_id: IDL.Principal,
      wasm_module: IDL.Vec(IDL.Nat8),
      arg: IDL.Vec(IDL.Nat8),
      sender_canister_version: IDL.Opt(IDL.Nat64),
    }),
    result: undefined,
  },
  install_chunked_code: {
    arg: IDL.Record({
      mode: CanisterInstallMode,
      target_canister: IDL.Principal,
      store_canister: IDL.Opt(IDL.Principal),
      chunk_hashes_list: IDL.Vec(ChunkHash),
      wasm_module_hash: IDL.Vec(IDL.Nat8),
      arg: IDL.Vec(IDL.Nat8),
      sender_canister_version: IDL.Opt(IDL.Nat64),
    }),
    result: undefined,
  },
  uninstall_code: {
    arg: IDL.Record({ canister_id: IDL.Principal, sender_canister_version: IDL.Opt(IDL.Nat64) }),
    result: undefined,
  },
  upload_chunk: { arg: IDL.Record({ canister_id: IDL.Principal, chunk: IDL.Vec(IDL.Nat8) }), result: ChunkHash },
  clear_chunk_store: { arg: CanisterIdRecord, result: undefined },
  stored_chunks: { arg: CanisterIdRecord, result: IDL.Vec(ChunkHash) },
  canister_status: {
    arg: CanisterIdRecord,
    result: IDL.Record({
      status: IDL.Variant({ running: IDL.Null, stopping: IDL.Null, stopped: IDL.Null }),
      ready_for_migration: IDL.Bool,
      version: IDL.Nat64,
      settings: DefiniteCanisterSettings,
      module_hash: IDL.Opt(IDL.Vec(IDL.Nat8)),
      memory_size: IDL.Nat,
      memory_metrics: IDL.Record({
        wasm_memory_size: IDL.Nat,
        stable_memory_size: IDL.Nat,
        global_memory_size: IDL.Nat,
        wasm_binary_size: IDL.Nat,
        custom_sections_size: IDL.Nat,
        canister_history_size: IDL.Nat,
        wasm_chunk_store_size: IDL.Nat,
        snapshots_size: IDL.Nat,
      }),
      cycles: IDL.Nat,
      reserved_cycles: IDL.Nat,
      idle_cycles_burned_per_day: IDL.Nat,
      query_stats: IDL.Record({
        num_calls_total: IDL.Nat,
        num_instructions_total: IDL.Nat,
        request_payload_bytes_total: IDL.Nat,
        response_payload_bytes_total: IDL.Nat,
      }),
    }),
  },
  start_canister: { arg: CanisterIdRecord, result: undefined },
  stop_canister: { arg: CanisterIdRecord, result: undefined },
  delete_canister: { arg: CanisterIdRecord, result: undefined },
  update_settings: {
    arg: IDL.Record({ canister_id: IDL.Principal, settings: CanisterSettings, sender_canister_version: IDL.Opt(IDL.Nat64) }),
    result: undefined,
  },
  raw_rand: { arg: undefined, result: IDL.Vec(IDL.Nat8) },
} as const;

/** A management method the devnet implements. */
export type ManagementMethod = keyof typeof MANAGEMENT_METHODS;

/** Whether `name` is a method the devnet implements. */
export function isManagementMethod(name: string): name is ManagementMethod {
  return Object.hasOwn(MANAGEMENT_METHODS, name);
}
