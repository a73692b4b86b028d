/**
 * The contract between the devnet's execution engine and its HTTP interface: the HTTP side turns verified
 * requests into `CallRequest`s and answers with the `CallOutcome`s the engine produces.
 */
import type { Principal } from '@dfinity/principal';
import type { ExecutionStats } from './execution-stats';

/** IC reject codes: 1 SYS_FATAL, 2 SYS_TRANSIENT, 3 DESTINATION_INVALID, 4 CANISTER_REJECT, 5 CANISTER_ERROR. */
export type RejectCode = 1 | 2 | 3 | 4 | 5;

/** One call addressed to a canister method. */
export interface CallRequest {
  canisterId: Principal;
  methodName: string;
  /** Candid-encoded arguments. */
  arg: Uint8Array;
  caller: Principal;
  /**
   * Size of the ingress message, bytes: what ingress induction is charged for (the HTTP interface passes the
   * signed request's size). @default the method name's and argument's bytes
   */
  ingressBytes?: number;
  /**
   * Queries only: the canister ranges format of the delegation in the `data_certificate` the query gets, as
   * the endpoint decides (`flat` for `/api/v2/.../query`, `tree` for `/api/v3/.../query`). @default 'flat'
   */
  dataCertificateRanges?: 'flat' | 'tree';
}

/**
 * What a call cost, as the replica would charge it on a 13-node application subnet: the executions it
 * caused (the method, its callbacks, the methods it called on other canisters, in order), their
 * instructions, and the cycles charged for them, for inducting the ingress message and for inter-canister
 * calls.
 */
export interface CallCost {
  /** Instructions of the executions (inspect_message excluded: it is free and runs before induction). */
  readonly instructions: bigint;
  readonly cycles: bigint;
  readonly executions: readonly ExecutionStats[];
}

/**
 * The answer to a call. `errorCode` uses the replica's user-facing codes: `IC0301` canister not found,
 * `IC0406` rejected by the canister or its inspect_message, `IC0502` wasm trap, `IC0503` explicit trap,
 * `IC0504` contract violation (a reply over the size limit among them), `IC0506` no reply, `IC0522`
 * instruction limit exceeded, `IC0536` no such method.
 */
export type CallOutcome = (
  | { status: 'replied'; reply: Uint8Array }
  | {
      status: 'rejected';
      rejectCode: RejectCode;
      rejectMessage: string;
      errorCode: string;
      /**
       * Refused before execution (the replica's ingress filter or `canister_inspect_message`): nothing is
       * certified, the HTTP interface answers `non_replicated_rejection`.
       */
      nonReplicated?: true;
    }
) & {
  /** What running the call cost; absent when nothing ran (no such canister or method, inspect_message refused). */
  cost?: CallCost;
};

/** What the HTTP interface needs from the engine. */
export interface ExecutionEnvironment {
  hasCanister(id: Principal): boolean;
  canisterIds(): Principal[];
  /**
   * Runs `canister_inspect_message` first if exported (ingress only), then the update method; executions on
   * one canister are serialized; resolves after the inter-canister calls it caused have been drained.
   */
  update(req: CallRequest): Promise<CallOutcome>;
  /** Runs on committed state; always rolled back; `ic0.data_certificate_*` is available. */
  query(req: CallRequest): Promise<CallOutcome>;
  /** The committed certified data of a canister (empty when never set or the canister is unknown). */
  certifiedData(id: Principal): Uint8Array;
  /** Current IC time in nanoseconds since the epoch. */
  now(): bigint;
  /** Called whenever a canister's committed certified data changes. */
  onCertifiedDataChange?(listener: (id: Principal) => void): void;
}
