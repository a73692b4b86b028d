import type { Principal } from '@dfinity/principal';
import { bytesToHex } from '@noble/hashes/utils';
import { canisterNotFound, inspectRejected } from '../execution/replica-errors';
import type { CallOutcome } from '../execution/types';
import type { RequestStatus } from '../state/request-status-store';
import { authenticateEnvelope } from './authenticate-envelope';
import { decodeEnvelope, type CanisterCallEnvelope } from './envelope';
import { cborAnswer, type HttpAnswer } from './http-answer';
import { checkIngressSize } from './ingress-size';
import type { InterfaceContext } from './interface-context';
import { checkEffectiveCanister } from './query-handler';
import { isManagementCanister, managementEffectiveCanisterId } from '../management/management-canister';
import { RequestError } from './request-error';
import { ErrorCode } from 'ic-ws-protocol';
import { FLAT_RANGES, type CanisterRangesFilter } from '../state/nns-delegation';

/** `sync`: v3/v4 call, answered with a certificate; `async`: v2 call, answered 202 and polled. */
export type CallMode = 'sync' | 'async';

type Rejected = Extract<CallOutcome, { status: 'rejected' }>;

/**
 * `POST /api/v2|v3|v4/canister/<effective id>/call`. Refuses a request over the ingress size limit (413, as a
 * replica does, before checking its signature), authenticates the envelope, executes each request id
 * once, in the next ingress round (a replayed or relayed envelope joins the first execution instead of running again), records the
 * outcome under `request_status/<id>` and answers:
 * - sync: 200 `{status: "replied", certificate}` whose tree holds the status (a canister reject included);
 * - async: 202 with no body, sent once the call has completed, so the first read_state poll finds it;
 * - either: 200 `{status: "non_replicated_rejection", reject_code, reject_message, error_code}` when the call
 *   never reached execution (no such canister, or `canister_inspect_message` refused it); nothing is
 *   certified then, exactly as on the IC.
 */
export class CallHandler {
  readonly #context: InterfaceContext;
  readonly #inFlight = new Map<string, Promise<CallOutcome>>();

  constructor(context: InterfaceContext) {
    this.#context = context;
  }

  async handle(effectiveCanisterId: Principal, body: Uint8Array, mode: CallMode, version: 2 | 3 | 4 = mode === 'sync' ? 3 : 2): Promise<HttpAnswer> {
    const { env, certifier } = this.#context;
    const envelope = decodeEnvelope(body, 'call');
    const toManagement = isManagementCanister(envelope.canisterId.toUint8Array());
    if (toManagement) checkManagementEffectiveCanister(envelope, effectiveCanisterId);
    else checkEffectiveCanister(envelope, effectiveCanisterId);
    checkIngressSize(envelope.requestId, body.length);
    authenticateEnvelope(envelope, { now: env.now(), targetCanister: envelope.canisterId });
    if (!toManagement && !env.hasCanister(envelope.canisterId)) return nonReplicatedRejection(canisterNotFound(envelope.canisterId.toText()));

    const key = bytesToHex(envelope.requestId);
    const { fresh, record } = certifier.requestStatuses.admit({
      requestId: envelope.requestId,
      sender: envelope.sender,
      // read_state of the status goes to the effective canister (for aaaaa-aa: the canister the call is about).
      canisterId: toManagement ? effectiveCanisterId : envelope.canisterId,
      ingressExpiry: envelope.ingressExpiry,
    });
    let pending = this.#inFlight.get(key);
    if (fresh) {
      // Every waiter awaits this very promise, so a failure reaches each of them as a 500, never unhandled.
      pending = this.#context.rounds.run(() => this.#execute(envelope, body.length)).finally(() => this.#inFlight.delete(key));
      this.#inFlight.set(key, pending);
    }
    const outcome = pending ? await pending : outcomeOf(record.status);
    if (outcome && outcome.status === 'rejected' && isNonReplicated(outcome, envelope.canisterId)) {
      return nonReplicatedRejection(outcome);
    }
    if (mode === 'async') return { status: 202, body: undefined };
    // v3 call: flat ranges; v4: the tree shard of the effective canister (dfinity/ic http_endpoints/public call).
    const ranges: CanisterRangesFilter = version === 4 ? { format: 'tree', canisterId: effectiveCanisterId } : FLAT_RANGES;
    return cborAnswer({ status: 'replied', certificate: certifier.certify([['request_status', envelope.requestId]], ranges) });
  }

  async #execute(envelope: CanisterCallEnvelope, ingressBytes: number): Promise<CallOutcome> {
    const { env, certifier } = this.#context;
    const statuses = certifier.requestStatuses;
    // Executions run to completion within their round, so the status goes from received to final at once.
    let outcome: CallOutcome;
    try {
      outcome = await env.update({
        canisterId: envelope.canisterId,
        methodName: envelope.methodName,
        arg: envelope.arg,
        caller: envelope.sender,
        ingressBytes,
      });
    } catch (error) {
      // An engine failure must still settle the request, or its status would stay `processing` forever.
      const reason = error instanceof Error ? error.message : String(error);
      outcome = {
        status: 'rejected',
        rejectCode: 5,
        rejectMessage: `Error from Canister ${envelope.canisterId.toText()}: devnet execution failed: ${reason}`,
        errorCode: 'IC0504',
      };
    }
    if (outcome.status === 'replied') {
      statuses.update(envelope.requestId, { status: 'replied', reply: outcome.reply });
    } else if (isNonReplicated(outcome, envelope.canisterId)) {
      statuses.discard(envelope.requestId);
    } else {
      const { rejectCode, rejectMessage, errorCode } = outcome;
      statuses.update(envelope.requestId, { status: 'rejected', rejectCode, rejectMessage, errorCode });
    }
    return outcome;
  }
}

/**
 * A reject that happened before execution: marked so by the engine (ingress filter, inspect_message, stopped
 * or missing canister); an execution failure before the engine answered (a relayed envelope joining a
 * completed call) is recognised by the wording of `inspectRejected`, as a canister's own IC0406 reject differs.
 */
function isNonReplicated(outcome: Rejected, canisterId: Principal): boolean {
  if (outcome.nonReplicated === true || outcome.errorCode === 'IC0301') return true;
  const inspect = inspectRejected(canisterId.toText());
  return outcome.errorCode === inspect.errorCode && outcome.rejectMessage === inspect.rejectMessage;
}

/**
 * Calls to `aaaaa-aa` go to the canister they are about (the interface specification's effective canister id
 * rule): the URL must name that canister, except for `provisional_create_canister_with_cycles`, which any
 * effective id may carry; an argument naming no canister is refused.
 */
function checkManagementEffectiveCanister(envelope: CanisterCallEnvelope, effectiveCanisterId: Principal): void {
  const expected = managementEffectiveCanisterId(envelope.methodName, envelope.arg);
  if (expected === 'any') return;
  if (expected === undefined) {
    throw new RequestError(
      ErrorCode.EffectiveCanisterMismatch,
      400,
      `Could not determine the effective canister id of a call to ${envelope.canisterId.toText()} method ${envelope.methodName}: its argument names no canister`,
    );
  }
  if (expected.compareTo(effectiveCanisterId) !== 'eq') {
    throw new RequestError(
      ErrorCode.EffectiveCanisterMismatch,
      400,
      `Specified CanisterId ${expected.toText()} does not match effective canister id in URL ${effectiveCanisterId.toText()}`,
    );
  }
}

function outcomeOf(status: RequestStatus): CallOutcome | undefined {
  if (status.status === 'replied') return { status: 'replied', reply: status.reply };
  if (status.status === 'rejected') {
    const { rejectCode, rejectMessage, errorCode } = status;
    return { status: 'rejected', rejectCode, rejectMessage, errorCode };
  }
  return undefined;
}

function nonReplicatedRejection(outcome: Rejected): HttpAnswer {
  return cborAnswer({
    status: 'non_replicated_rejection',
    reject_code: outcome.rejectCode,
    reject_message: outcome.rejectMessage,
    error_code: outcome.errorCode,
  });
}
