/**
 * What a System API call costs in instructions, on top of the wasm `call` that invokes it: a fixed overhead
 * per function plus, for functions moving data, one instruction per byte (50 per byte for data leaving the
 * canister: replies, rejects, call arguments). From dfinity/ic
 * `rs/embedders/src/wasmtime_embedder/system_api_complexity.rs` (`overhead`, `overhead_native`) and
 * `rs/embedders/src/wasmtime_embedder/linker.rs` (which charge each function applies, `BYTE_TRANSMISSION_COST_FACTOR`,
 * `logging_charge_bytes`). Stable memory is wasm-native on the replica: reads and writes cost 20 plus their
 * size, and each 4 KiB page a message writes first costs 1 000 more (`DEFAULT_DIRTY_PAGE_OVERHEAD`);
 * `stable64_size` costs nothing beyond its call.
 */

/** Fixed overhead of each `ic0` function the devnet implements. */
export const SYSTEM_API_OVERHEAD = {
  msg_arg_data_size: 500,
  msg_arg_data_copy: 500,
  msg_caller_size: 500,
  msg_caller_copy: 500,
  msg_method_name_size: 500,
  msg_method_name_copy: 500,
  msg_reject_code: 500,
  msg_reject_msg_size: 500,
  msg_reject_msg_copy: 500,
  accept_message: 500,
  msg_reply_data_append: 500,
  msg_reply: 500,
  msg_reject: 500,
  msg_cycles_available128: 500,
  msg_cycles_refunded128: 500,
  msg_cycles_accept128: 500,
  canister_cycle_balance128: 500,
  canister_liquid_cycle_balance128: 500,
  cycles_burn128: 500,
  cost_call: 500,
  canister_self_size: 500,
  canister_self_copy: 500,
  canister_version: 500,
  is_controller: 1_000,
  in_replicated_execution: 500,
  performance_counter: 200,
  debug_print: 100,
  trap: 500,
  time: 500,
  global_timer_set: 500,
  certified_data_set: 500,
  data_certificate_present: 500,
  data_certificate_size: 500,
  data_certificate_copy: 500,
  stable64_size: 0,
  stable64_grow: 100,
  stable64_read: 20,
  stable64_write: 20,
  call_new: 1_500,
  call_on_cleanup: 500,
  call_data_append: 500,
  call_cycles_add128: 500,
  call_with_best_effort_response: 500,
  call_perform: 5_000,
} as const;

/** Name of an `ic0` function the devnet implements. */
export type SystemApiName = keyof typeof SYSTEM_API_OVERHEAD;

/** Instructions per byte of a payload passed out of the canister (reply, reject, call argument). */
export const BYTE_TRANSMISSION_COST_FACTOR = 50;
/** Instructions per stable memory OS page (4 KiB) first written by a message. */
export const DIRTY_PAGE_OVERHEAD = 1_000;
/** Bytes of an OS page, the unit of stable memory dirty-page charges. */
export const OS_PAGE_SIZE = 4_096;
/** Capacity of a message's canister log: a log record beyond it is charged as if evicting older ones. */
export const CANISTER_LOG_CAPACITY = 4_096;
/** Bytes a log record takes besides its content (index and timestamp). */
const LOG_RECORD_OVERHEAD = 16;

/**
 * Per-execution logging state for `debug_print` and `trap` charges: each costs twice the bytes it stores
 * (adding and evicting a record) plus 50 per byte transmitted while the message's log has room.
 */
export class LogCharges {
  private used = 0;

  /** Extra instructions for logging `length` bytes, and the log's new fill level. */
  charge(length: number): number {
    const allocated = Math.min(length, CANISTER_LOG_CAPACITY);
    const transmitted = Math.min(length, CANISTER_LOG_CAPACITY - this.used);
    this.used = Math.min(CANISTER_LOG_CAPACITY, this.used + LOG_RECORD_OVERHEAD + length);
    return 2 * allocated + BYTE_TRANSMISSION_COST_FACTOR * transmitted;
  }
}
