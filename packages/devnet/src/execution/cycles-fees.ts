/**
 * What the IC charges, in cycles, on a 13-node application subnet (dfinity/ic `rs/config/src/subnet_config.rs`,
 * `CyclesAccountManagerConfig::application_subnet`, and `rs/cycles_account_manager`): fees scale with the
 * subnet size divided by 13, so these are the fees as configured. Queries are free.
 */

/** The fees the devnet reports. */
export const CYCLES_FEES = {
  /** Base fee of every update-type execution (update, timer, callback, install). */
  updateMessageExecution: 5_000_000n,
  /** Per 10 instructions executed by an update-type execution (i.e. 1 cycle per instruction). */
  tenUpdateInstructionsExecution: 10n,
  /** Per ingress message inducted. */
  ingressMessageReception: 1_200_000n,
  /** Per byte of an ingress message (the whole signed request). */
  ingressByteReception: 2_000n,
  /** Per inter-canister call (request and response). */
  xnetCall: 260_000n,
  /** Per byte of an inter-canister request or response. */
  xnetByteTransmission: 1_000n,
} as const;

/** Cycles charged for an update-type execution of `instructions` instructions. */
export function executionCycles(instructions: bigint): bigint {
  return CYCLES_FEES.updateMessageExecution + (CYCLES_FEES.tenUpdateInstructionsExecution * instructions) / 10n;
}

/** Cycles charged for inducting an ingress message of `bytes` bytes. */
export function ingressInductionCycles(bytes: number): bigint {
  return CYCLES_FEES.ingressMessageReception + CYCLES_FEES.ingressByteReception * BigInt(bytes);
}

/** Cycles charged to the caller for an inter-canister call carrying `bytes` bytes (method name and argument). */
export function xnetCallCycles(bytes: number): bigint {
  return CYCLES_FEES.xnetCall + CYCLES_FEES.xnetByteTransmission * BigInt(bytes);
}
