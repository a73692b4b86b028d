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

  async handle(effectiveCanisterId: Principal, body: Uint8Array, mode: CallMode): Promise<HttpAnswer> {
    const { env, certifier } = this.#context;
    const envelope = decodeEnvelope(body, 'call');
    checkEffectiveCanister(envelope, effectiveCanisterId);
    checkIngressSize(envelope.requestId, body.length);
    authenticateEnvelope(envelope, { now: env.now(), targetCanister: envelope.canisterId });
    if (!env.hasCanister(envelope.canisterId)) return nonReplicatedRejection(canisterNotFound(envelope.canisterId.toText()));

    const key = bytesToHex(envelope.requestId);
    const { fresh, record } = certifier.requestStatuses.admit({
      requestId: envelope.requestId,
      sender: envelope.sender,
      canisterId: envelope.canisterId,
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
    return cborAnswer({ status: 'replied', certificate: certifier.certify([['request_status', envelope.requestId]]) });
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
 * A reject that happened before execution. The engine reports inspect_message refusals with the exact
 * replica wording of `inspectRejected`, which is how they are told apart from a canister's own IC0406 reject.
 */
function isNonReplicated(outcome: Rejected, canisterId: Principal): boolean {
  if (outcome.errorCode === 'IC0301') return true;
  const inspect = inspectRejected(canisterId.toText());
  return outcome.errorCode === inspect.errorCode && outcome.rejectMessage === inspect.rejectMessage;
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
