import type { Principal } from '@dfinity/principal';
import { parseOutgoingKey, type CanisterOutputCertifiedMessages, type CanisterOutputMessage } from 'ic-ws-protocol';
import type { PollerObserver } from './canister-poller';

/** A batch message with the nonce of its key. */
export interface ParsedMessage {
  nonce: bigint;
  message: CanisterOutputMessage;
}

/**
 * The messages of a batch whose keys are well-formed and name this gateway, with their nonces. Others are
 * reported as skipped: the client would refuse them anyway, and their nonces must not move ours.
 */
export function parseBatch(
  batch: CanisterOutputCertifiedMessages,
  gatewayPrincipal: Principal,
  observer: Pick<PollerObserver, 'skipped'>,
): ParsedMessage[] {
  const parsed: ParsedMessage[] = [];
  for (const message of batch.messages) {
    let key;
    try {
      key = parseOutgoingKey(message.key);
    } catch {
      // The key's exact fault does not matter here: the message cannot be routed or ordered.
      observer.skipped('invalid_key');
      continue;
    }
    if (key.gatewayPrincipal.compareTo(gatewayPrincipal) !== 'eq') {
      observer.skipped('foreign_gateway');
      continue;
    }
    parsed.push({ nonce: key.nonce, message });
  }
  return parsed;
}
