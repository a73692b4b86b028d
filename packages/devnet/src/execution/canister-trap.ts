/**
 * The exception a host function throws to abort a canister execution. It unwinds through the wasm frames;
 * the engine catches it (or a wasm `RuntimeError`) and rolls the execution back.
 */
import { ErrorCode, IcWsError } from 'ic-ws-protocol';
import { ReplicaErrorCode, rejected, type RejectedOutcome } from './replica-errors';

/** Why an execution trapped: an explicit `ic0.trap`, a wasm fault, or a System API misuse. */
export type TrapKind = 'called-trap' | 'wasm-trap' | 'contract-violation';

/** Thrown inside host functions; never escapes the engine. */
export class CanisterTrap extends IcWsError {
  override readonly name = 'CanisterTrap';

  constructor(
    readonly kind: TrapKind,
    readonly detail: string,
  ) {
    super(ErrorCode.CanisterTrapped, detail);
  }

  /** Wraps whatever an execution threw: host traps as they are, wasm faults and host errors as wasm traps. */
  static from(error: unknown): CanisterTrap {
    if (error instanceof CanisterTrap) return error;
    if (error instanceof WebAssembly.RuntimeError) return new CanisterTrap('wasm-trap', error.message);
    if (error instanceof RangeError && error.message.includes('call stack')) {
      return new CanisterTrap('wasm-trap', 'stack overflow');
    }
    // Anything else came from host code (a devnet bug, or an injected callback such as the data certificate
    // provider failing). Treating it as a trap still rolls the execution back, so the canister stays usable.
    return new CanisterTrap('wasm-trap', `host error: ${error instanceof Error ? error.message : String(error)}`);
  }

  /** The reject a caller sees, worded like the replica's. */
  toOutcome(canisterText: string): RejectedOutcome {
    switch (this.kind) {
      case 'called-trap':
        return rejected(
          5,
          ReplicaErrorCode.CanisterCalledTrap,
          `Error from Canister ${canisterText}: Canister called \`ic0.trap\` with message: '${this.detail}'.`,
        );
      case 'wasm-trap':
        return rejected(
          5,
          ReplicaErrorCode.CanisterTrapped,
          `Error from Canister ${canisterText}: Canister trapped: ${this.detail}.`,
        );
      case 'contract-violation':
        return rejected(
          5,
          ReplicaErrorCode.CanisterContractViolation,
          `Error from Canister ${canisterText}: Canister violated contract: ${this.detail}.`,
        );
    }
  }
}
