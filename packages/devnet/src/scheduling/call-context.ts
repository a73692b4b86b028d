/**
 * Call contexts: one per request a canister accepts (or per system task such as a global timer). A call
 * context tracks whether it has responded and how many of its outgoing calls still await a response; it is
 * answered with "did not reply" when it ends with neither.
 */
import type { CanisterInstance } from '../execution/canister-instance';
import type { ExecutionStats } from '../execution/execution-stats';
import type { CallCostLedger } from './call-cost-ledger';
import type { OutgoingCall } from '../execution/execution-context';
import type { CallOutcome } from '../execution/types';

/** A callback waiting for the response to an outgoing call. */
export interface PendingCallback {
  readonly call: OutgoingCall;
  /** The caller's call context that made the call. */
  readonly callContext: CallContext;
  /** The caller's module generation when the call was made: callbacks never run in an upgraded module. */
  readonly generation: number;
}

/** Where the response of a call context goes. */
export type CallOrigin =
  | { readonly kind: 'ingress'; readonly resolve: (outcome: CallOutcome) => void; readonly ledger: CallCostLedger }
  | { readonly kind: 'canister'; readonly callback: PendingCallback }
  | { readonly kind: 'system'; readonly ledger: CallCostLedger };

/** The state of one call context on a canister. */
export class CallContext {
  responded = false;
  outstanding = 0;
  /** Instructions its executions ran so far (what `performance_counter(1)` adds to the running execution's). */
  instructions = 0n;
  /** The ledger of the call this context serves (shared with the contexts of the calls it makes). */
  readonly ledger: CallCostLedger;

  constructor(
    readonly canister: CanisterInstance,
    readonly origin: CallOrigin,
    /** What `msg_caller` returns in every execution of this context. */
    readonly caller: Uint8Array,
  ) {
    this.ledger = origin.kind === 'canister' ? origin.callback.callContext.ledger : origin.ledger;
  }

  /** Accounts for one of its executions. */
  recordExecution(stats: ExecutionStats): void {
    this.instructions += stats.instructions ?? 0n;
    this.ledger.recordExecution(stats);
  }
}
