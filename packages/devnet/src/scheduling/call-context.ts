/**
 * Call contexts: one per request a canister accepts (or per system task such as a global timer). A call
 * context tracks whether it has responded and how many of its outgoing calls still await a response; it is
 * answered with "did not reply" when it ends with neither.
 */
import type { CanisterInstance } from '../execution/canister-instance';
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
  | { readonly kind: 'ingress'; readonly resolve: (outcome: CallOutcome) => void }
  | { readonly kind: 'canister'; readonly callback: PendingCallback }
  | { readonly kind: 'system' };

/** The state of one call context on a canister. */
export class CallContext {
  responded = false;
  outstanding = 0;

  constructor(
    readonly canister: CanisterInstance,
    readonly origin: CallOrigin,
    /** What `msg_caller` returns in every execution of this context. */
    readonly caller: Uint8Array,
  ) {}
}
