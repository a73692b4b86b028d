/**
 * The replica's per-message instruction limits on an application subnet (dfinity/ic
 * `rs/config/src/subnet_config.rs` and `rs/config/src/execution_environment.rs`). Updates, timers, heartbeats
 * and response callbacks run under deterministic time slicing: 40 B instructions in slices of 2 B, so only the
 * 40 B total can fail a message. Queries (5 B) and `canister_inspect_message` (200 M) are not sliced. An
 * `install_code` (init, or pre_upgrade plus post_upgrade together) may run 300 B. The devnet runs each message
 * to completion, so slices are not modelled: only the totals are enforced.
 */
import type { ExecutionKind } from './execution-context';

/** Instruction limit of each kind of execution. */
export const INSTRUCTION_LIMITS = {
  /** Update calls, global timers, heartbeats, reply/reject/cleanup callbacks (with DTS). */
  update: 40_000_000_000n,
  /** Queries (no DTS). */
  query: 5_000_000_000n,
  /** `canister_inspect_message`. */
  inspectMessage: 200_000_000n,
  /** One `install_code`: `canister_init`, or `canister_pre_upgrade` and `canister_post_upgrade` together. */
  installCode: 300_000_000_000n,
  /** The slice of the sliced kinds: with DTS, a message pauses here and resumes in the next round. */
  slice: 2_000_000_000n,
} as const;

/** The instruction limits a subnet enforces. */
export type InstructionLimits = { readonly [K in keyof typeof INSTRUCTION_LIMITS]: bigint };

/** The limit an execution of `kind` starts with (upgrades: what pre_upgrade left of the install limit). */
export function instructionLimitOf(kind: ExecutionKind, limits: InstructionLimits): bigint {
  switch (kind) {
    case 'query':
      return limits.query;
    case 'inspect_message':
      return limits.inspectMessage;
    case 'init':
    case 'pre_upgrade':
    case 'post_upgrade':
      return limits.installCode;
    case 'update':
    case 'global_timer':
    case 'reply_callback':
    case 'reject_callback':
    case 'cleanup':
      return limits.update;
  }
}
