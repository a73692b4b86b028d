/**
 * Reject outcomes worded and coded like the replica's, so clients see what a real IC would send them.
 */
import type { CallOutcome, RejectCode } from './types';

/** The replica's user-facing error codes this engine produces. */
export const ReplicaErrorCode = {
  CanisterIdAlreadyExists: 'IC0205',
  CanisterNotFound: 'IC0301',
  CanisterRejectedMessage: 'IC0406',
  UnknownManagementMessage: 'IC0407',
  CanisterTrapped: 'IC0502',
  CanisterCalledTrap: 'IC0503',
  CanisterContractViolation: 'IC0504',
  CanisterInvalidWasm: 'IC0505',
  CanisterDidNotReply: 'IC0506',
  CanisterStopped: 'IC0508',
  CanisterNotStopped: 'IC0510',
  CanisterInvalidController: 'IC0512',
  CanisterNonEmpty: 'IC0514',
  CanisterInstructionLimitExceeded: 'IC0522',
  CanisterMethodNotFound: 'IC0536',
  CanisterWasmModuleNotFound: 'IC0537',
} as const;

/** One of `ReplicaErrorCode`'s values. */
export type ReplicaErrorCode = (typeof ReplicaErrorCode)[keyof typeof ReplicaErrorCode];

/** A rejected outcome. */
export type RejectedOutcome = Extract<CallOutcome, { status: 'rejected' }>;

/** Builds a rejected outcome. */
export function rejected(rejectCode: RejectCode, errorCode: ReplicaErrorCode, rejectMessage: string): RejectedOutcome {
  return { status: 'rejected', rejectCode, rejectMessage, errorCode };
}

/** The destination canister does not exist. */
export function canisterNotFound(canisterText: string): RejectedOutcome {
  return rejected(3, ReplicaErrorCode.CanisterNotFound, `Canister ${canisterText} not found`);
}

/** The canister exports no entry point for the method in this mode. */
export function methodNotFound(canisterText: string, kind: 'update' | 'query', methodName: string): RejectedOutcome {
  return rejected(
    5,
    ReplicaErrorCode.CanisterMethodNotFound,
    `Error from Canister ${canisterText}: Canister has no ${kind} method '${methodName}'.`,
  );
}

/** `canister_inspect_message` ran without calling `ic0.accept_message`. */
export function inspectRejected(canisterText: string): RejectedOutcome {
  return rejected(
    4,
    ReplicaErrorCode.CanisterRejectedMessage,
    `Error from Canister ${canisterText}: Canister rejected the message`,
  );
}

/** An execution finished, no call is outstanding, and nobody replied. */
export function didNotReply(canisterText: string): RejectedOutcome {
  return rejected(
    5,
    ReplicaErrorCode.CanisterDidNotReply,
    `Error from Canister ${canisterText}: Canister did not produce a response`,
  );
}
