/**
 * The rejects of the management canister and of calls to stopped or empty canisters, with the replica's
 * error codes and wording. Sources (dfinity/ic): rs/types/error_types/src/lib.rs (codes),
 * rs/execution_environment/src/canister_manager/types.rs (`CanisterManagerError` -> `UserError`),
 * rs/execution_environment/src/execution_environment.rs (`should_accept_ingress_message`, the ingress filter,
 * and the ingress refusal of `create_canister`), rs/execution_environment/src/execution/common.rs
 * (`validate_canister`), rs/execution_environment/src/query_handler/query_context.rs (queries to a stopped
 * canister), rs/interfaces/src/execution_environment/errors.rs (`WasmModuleNotFound`). The replica appends a
 * help line and a documentation link to some of these; the devnet leaves them out.
 */
import { rejected, ReplicaErrorCode, type RejectedOutcome } from '../execution/replica-errors';

/** Ingress to a controller-only method from a non-controller (refused before execution). */
export function ingressNotController(canisterText: string, method: string): RejectedOutcome {
  return rejected(5, ReplicaErrorCode.CanisterInvalidController, `Only controllers of canister ${canisterText} can call ic00 method ${method}`);
}

/** A canister's call to a controller-only method from a non-controller. */
export function notController(canisterText: string, controllersText: string, senderText: string): RejectedOutcome {
  return rejected(
    5,
    ReplicaErrorCode.CanisterInvalidController,
    `Only the controllers of the canister ${canisterText} can control it.\nCanister's controllers: ${controllersText}\nSender's ID: ${senderText}`,
  );
}

/** `create_canister` sent as ingress. */
export function createCanisterViaIngress(): RejectedOutcome {
  return rejected(5, ReplicaErrorCode.CanisterMethodNotFound, 'create_canister can only be called by other canisters, not via ingress messages.');
}

/** A method users may not call as ingress (`raw_rand`, `http_request`, ...). */
export function onlyCanisters(method: string): RejectedOutcome {
  return rejected(4, ReplicaErrorCode.CanisterRejectedMessage, `Only canisters can call ic00 method ${method}`);
}

/** The management canister does not have (or the devnet does not implement) `method`. */
export function unknownManagementMethod(method: string): RejectedOutcome {
  return rejected(4, ReplicaErrorCode.UnknownManagementMessage, `Management canister has no method '${method}' (ic-ws-devnet implements the methods listed in docs/devnet.md)`);
}

/** An argument that does not decode as the method's Candid type. */
export function invalidPayload(reason: string): RejectedOutcome {
  return rejected(5, ReplicaErrorCode.CanisterContractViolation, `Error decoding candid: ${reason}`);
}

/** The canister named in a management call does not exist. */
export function managedCanisterNotFound(canisterText: string): RejectedOutcome {
  return rejected(3, ReplicaErrorCode.CanisterNotFound, `Canister ${canisterText} not found.`);
}

/** `provisional_create_canister_with_cycles` with a `specified_id` that is taken. */
export function canisterIdExists(canisterText: string): RejectedOutcome {
  return rejected(2, ReplicaErrorCode.CanisterIdAlreadyExists, `Unsuccessful canister creation: canister id ${canisterText} already exists.`);
}

/** `install` mode on a canister that has code. */
export function canisterNonEmpty(canisterText: string): RejectedOutcome {
  return rejected(
    5,
    ReplicaErrorCode.CanisterNonEmpty,
    `Canister ${canisterText} cannot be installed because the canister is not empty. Try installing with mode='reinstall' instead.`,
  );
}

/** A message (or an upgrade) for a canister without code. */
export function wasmModuleNotFound(canisterText: string): RejectedOutcome {
  return rejected(
    5,
    ReplicaErrorCode.CanisterWasmModuleNotFound,
    `Error from Canister ${canisterText}: Attempted to execute a message, but the canister contains no Wasm module.`,
  );
}

/** A wasm module that does not compile or instantiate. */
export function invalidWasm(canisterText: string, reason: string): RejectedOutcome {
  return rejected(5, ReplicaErrorCode.CanisterInvalidWasm, `Error from Canister ${canisterText}: Canister's Wasm module is not valid: ${reason}`);
}

/** An update call or a canister's request to a stopped canister. */
export function canisterNotRunning(canisterText: string): RejectedOutcome {
  return rejected(5, ReplicaErrorCode.CanisterStopped, `Canister ${canisterText} is not running`);
}

/** A query to a stopped canister. */
export function stoppedCanisterQuery(canisterText: string): RejectedOutcome {
  return rejected(5, ReplicaErrorCode.CanisterStopped, `Canister ${canisterText} is stopped and therefore does not have a CallContextManager`);
}

/** `delete_canister` of a canister that is not stopped. */
export function deleteNotStopped(canisterText: string): RejectedOutcome {
  return rejected(5, ReplicaErrorCode.CanisterNotStopped, `Canister ${canisterText} must be stopped before it is deleted.`);
}

/** A canister asking the management canister to delete itself. */
export function deleteSelf(canisterText: string): RejectedOutcome {
  return rejected(5, ReplicaErrorCode.CanisterInvalidController, `Canister ${canisterText} cannot delete itself.`);
}

/** A chunk store failure (missing chunk, chunk too large, store full, module hash mismatch). */
export function chunkStoreError(message: string): RejectedOutcome {
  return rejected(5, ReplicaErrorCode.CanisterContractViolation, `Error from Wasm chunk store: ${message}.`);
}

/** A `wasm_module_hash` that is not 32 bytes. */
export function invalidWasmHash(hashDebug: string): RejectedOutcome {
  return rejected(5, ReplicaErrorCode.CanisterContractViolation, `Invalid wasm hash ${hashDebug}`);
}

/** Settings the IC refuses (more than 10 controllers). */
export function invalidSettings(message: string): RejectedOutcome {
  return rejected(5, ReplicaErrorCode.CanisterContractViolation, `Could not validate the settings: ${message} `);
}
