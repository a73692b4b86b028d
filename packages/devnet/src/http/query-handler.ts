import type { Principal } from '@dfinity/principal';
import { ErrorCode } from 'ic-ws-protocol';
import { canisterNotFound } from '../execution/replica-errors';
import type { CallOutcome } from '../execution/types';
import { authenticateEnvelope } from './authenticate-envelope';
import { decodeEnvelope, type CanisterCallEnvelope } from './envelope';
import { cborAnswer, type HttpAnswer } from './http-answer';
import type { InterfaceContext } from './interface-context';
import { RequestError } from './request-error';
import { signedQueryResponse } from './sign-query-response';

/**
 * `POST /api/v2|v3/canister/<effective id>/query`: authenticates the envelope, runs the query and answers
 * 200 with a node-signed reply or reject (a missing canister is a signed IC0301 reject, as on the IC). As an
 * application subnet, the `data_certificate` the query reads carries the delegation with flat canister ranges
 * on v2 and tree ranges for the canister on v3, as a replica (dfinity/ic http_endpoints/public query.rs).
 */
export async function handleQuery(
  context: InterfaceContext,
  effectiveCanisterId: Principal,
  body: Uint8Array,
  version: 2 | 3 = 2,
): Promise<HttpAnswer> {
  const envelope = decodeEnvelope(body, 'query');
  checkEffectiveCanister(envelope, effectiveCanisterId);
  authenticateEnvelope(envelope, { now: context.env.now(), targetCanister: envelope.canisterId });

  const outcome: CallOutcome = context.env.hasCanister(envelope.canisterId)
    ? await context.env.query({
        canisterId: envelope.canisterId,
        methodName: envelope.methodName,
        arg: envelope.arg,
        caller: envelope.sender,
        dataCertificateRanges: version === 3 ? 'tree' : 'flat',
      })
    : canisterNotFound(envelope.canisterId.toText());
  const node = context.certifier.signingNode;
  return cborAnswer(signedQueryResponse(outcome, envelope.requestId, context.env.now(), node));
}

/** Calls and queries must address the canister named in the URL, or a boundary node would misroute them. */
export function checkEffectiveCanister(envelope: CanisterCallEnvelope, effectiveCanisterId: Principal): void {
  if (envelope.canisterId.compareTo(effectiveCanisterId) !== 'eq') {
    throw new RequestError(
      ErrorCode.EffectiveCanisterMismatch,
      400,
      `Specified CanisterId ${envelope.canisterId.toText()} does not match effective canister id in URL ${effectiveCanisterId.toText()}`,
    );
  }
}
