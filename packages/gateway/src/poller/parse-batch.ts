import type { Principal } from '@dfinity/principal';
import { parseOutgoingKey, type CanisterOutputCertifiedMessages, type CanisterOutputMessage } from 'ic-ws-protocol';
import type { PollerObserver } from './canister-poller';

/** A batch message with the nonce of its key. */
export interface ParsedMessage {
  nonce: bigint;
  message: CanisterOutputMessage;
}

const MAX_U64 = (1n << 64n) - 1n;
const NONCE = /^[0-9]{20}$/;

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
  // Fast path: a key that is exactly our canonical principal text, `_` and 20 digits is what
  // parseOutgoingKey would accept for this gateway, without decoding and re-encoding the principal.
  const ownPrefix = `${gatewayPrincipal.toText()}_`;
  for (const message of batch.messages) {
    const ownNonce = ownKeyNonce(message.key, ownPrefix);
    if (ownNonce !== null) {
      parsed.push({ nonce: ownNonce, message });
      continue;
    }
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

function ownKeyNonce(key: string, ownPrefix: string): bigint | null {
  if (typeof key !== 'string' || key.length !== ownPrefix.length + 20 || !key.startsWith(ownPrefix)) return null;
  const digits = key.slice(ownPrefix.length);
  if (!NONCE.test(digits)) return null;
  const nonce = BigInt(digits);
  return nonce <= MAX_U64 ? nonce : null;
}
