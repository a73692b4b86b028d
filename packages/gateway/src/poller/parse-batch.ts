import type { Principal } from '@dfinity/principal';
import {
  ErrorCode,
  outgoingKeyNonce,
  ProtocolError,
  type CanisterOutputCertifiedMessages,
  type CanisterOutputMessage,
} from 'ic-ws-protocol';
import type { PollerObserver } from './poller-observer';

/** A batch message with the nonce of its key. */
export interface ParsedMessage {
  nonce: bigint;
  message: CanisterOutputMessage;
}

/**
 * The messages of a batch whose keys are well-formed and name this gateway, with their nonces (the protocol's
 * `outgoingKeyNonce`). Others are reported as skipped: the client would refuse them anyway, and their nonces
 * must not move ours.
 */
export function parseBatch(
  batch: CanisterOutputCertifiedMessages,
  gatewayPrincipal: Principal,
  observer: Pick<PollerObserver, 'skipped'>,
): ParsedMessage[] {
  const parsed: ParsedMessage[] = [];
  for (const message of batch.messages) {
    let nonce: bigint;
    try {
      nonce = outgoingKeyNonce(message.key, gatewayPrincipal);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      observer.skipped(error.code === ErrorCode.WrongGateway ? 'foreign_gateway' : 'invalid_key');
      continue;
    }
    parsed.push({ nonce, message });
  }
  return parsed;
}
