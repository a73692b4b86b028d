/**
 * The exception a host function throws to abort a canister execution. It unwinds through the wasm frames;
 * the engine catches it (or a wasm `RuntimeError`) and rolls the execution back. `toOutcome` words the reject
 * the way the replica's `HypervisorError::into_user_error` does (dfinity/ic
 * `rs/interfaces/src/execution_environment/errors.rs`): the error, then its help line where it has one.
 */
import { ErrorCode, IcWsError } from 'ic-ws-protocol';
import { ReplicaErrorCode, rejected, type RejectedOutcome } from './replica-errors';

/**
 * Why an execution trapped: an explicit `ic0.trap`, a wasm fault, a System API misuse the toolchain is to
 * blame for (`contract-violation`) or the canister's developer (`user-contract-violation`, e.g. a reply over
 * the size limit), or the instruction limit.
 */
export type TrapKind = 'called-trap' | 'wasm-trap' | 'contract-violation' | 'user-contract-violation' | 'instruction-limit';

/** Where the replica's help lines point (`ic_wasm_types::doc_ref`). */
const DOC_BASE = 'http://internetcomputer.org/docs/current/references/execution-errors#';
const HANDLE_FAILURES = 'Consider gracefully handling failures from this canister or altering the canister to handle exceptions.';
const HELP = {
  trapped: `${HANDLE_FAILURES} See documentation: ${DOC_BASE}trapped`,
  calledTrap: `${HANDLE_FAILURES} See documentation: ${DOC_BASE}trapped-explicitly`,
  instructionLimit:
    'Try optimizing this method to consume fewer instructions or split the work across multiple messages. ' +
    `See documentation: ${DOC_BASE}instruction-limit-exceeded`,
  toolchain:
    'This is likely an error with the compiler/CDK toolchain being used to build the canister. Please report the ' +
    'error to IC devs on the forum: https://forum.dfinity.org and include which language/CDK was used to create the canister.',
} as const;

/** V8's wasm trap messages and the replica's names for the same traps. */
const TRAP_CODES: readonly [RegExp, string][] = [
  [/^unreachable/, 'unreachable'],
  [/memory access out of bounds/, 'heap out of bounds'],
  [/(divide|remainder) by zero/, 'integer division by 0'],
  [/table index is out of bounds/, 'table out of bounds'],
];

/** Thrown inside host functions; never escapes the engine. */
export class CanisterTrap extends IcWsError {
  override readonly name = 'CanisterTrap';

  constructor(
    readonly kind: TrapKind,
    readonly detail: string,
  ) {
    super(ErrorCode.CanisterTrapped, detail);
  }

  /** The execution ran past its instruction limit. */
  static instructionLimit(limit: bigint): CanisterTrap {
    return new CanisterTrap('instruction-limit', limit.toString());
  }

  /** Wraps whatever an execution threw: host traps as they are, wasm faults and host errors as wasm traps. */
  static from(error: unknown): CanisterTrap {
    if (error instanceof CanisterTrap) return error;
    if (error instanceof WebAssembly.RuntimeError) {
      const known = TRAP_CODES.find(([pattern]) => pattern.test(error.message));
      return new CanisterTrap('wasm-trap', known?.[1] ?? error.message);
    }
    if (error instanceof RangeError && error.message.includes('call stack')) {
      return new CanisterTrap('wasm-trap', 'stack overflow');
    }
    // Anything else came from host code (a devnet bug, or an injected callback such as the data certificate
    // provider failing). Treating it as a trap still rolls the execution back, so the canister stays usable.
    return new CanisterTrap('wasm-trap', `host error: ${error instanceof Error ? error.message : String(error)}`);
  }

  /** The reject a caller sees, worded like the replica's. */
  toOutcome(canisterText: string): RejectedOutcome {
    const from = `Error from Canister ${canisterText}:`;
    switch (this.kind) {
      case 'called-trap':
        return rejected(
          5,
          ReplicaErrorCode.CanisterCalledTrap,
          `${from} Canister called \`ic0.trap\` with message: '${this.detail}'.\n${HELP.calledTrap}`,
        );
      case 'wasm-trap':
        return rejected(5, ReplicaErrorCode.CanisterTrapped, `${from} Canister trapped: ${this.detail}.\n${HELP.trapped}`);
      case 'contract-violation':
        return rejected(
          5,
          ReplicaErrorCode.CanisterContractViolation,
          `${from} Canister violated contract: ${this.detail}.\n${HELP.toolchain}`,
        );
      case 'user-contract-violation':
        // No help line: the replica's user contract violations carry an empty suggestion.
        return rejected(5, ReplicaErrorCode.CanisterContractViolation, `${from} Canister violated contract: ${this.detail}`);
      case 'instruction-limit':
        return rejected(
          5,
          ReplicaErrorCode.CanisterInstructionLimitExceeded,
          `${from} Canister exceeded the limit of ${this.detail} instructions for single message execution..\n${HELP.instructionLimit}`,
        );
    }
  }
}
