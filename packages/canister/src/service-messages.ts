import { encodeServiceMessageContent, type ClientKey, type CloseMessageReasonName } from 'ic-ws-protocol';

/**
 * The service messages the canister sends, Candid-encoded by the protocol package's encoder. Acks and close
 * messages go out by the thousand (one ack per client per round) and Candid encoding is the costliest step
 * of queueing one, so their bytes are computed once and reused: a close message has only four possible
 * encodings, and an ack's only variable part is its `nat64`, which Candid writes as the last 8 bytes,
 * little-endian. `service-messages.test.ts` checks both against the encoder for many values.
 */
let ackTemplate: Uint8Array | undefined;
const closeMessages = new Map<CloseMessageReasonName, Uint8Array>();

/** Candid bytes of `AckMessage{last_incoming_sequence_num}`. */
export function ackMessageContent(lastIncomingSequenceNum: bigint): Uint8Array {
  ackTemplate ??= encodeServiceMessageContent({ AckMessage: { last_incoming_sequence_num: 0n } });
  const out = ackTemplate.slice();
  new DataView(out.buffer).setBigUint64(out.length - 8, lastIncomingSequenceNum, true);
  return out;
}

/** Candid bytes of `CloseMessage{reason}`. */
export function closeMessageContent(reason: CloseMessageReasonName): Uint8Array {
  let bytes = closeMessages.get(reason);
  if (!bytes) {
    bytes = encodeServiceMessageContent({ CloseMessage: { reason: { [reason]: null } as Record<CloseMessageReasonName, null> } as never });
    closeMessages.set(reason, bytes);
  }
  return bytes.slice();
}

/** Candid bytes of `OpenMessage{client_key}`. */
export function openMessageContent(clientKey: ClientKey): Uint8Array {
  return encodeServiceMessageContent({ OpenMessage: { client_key: clientKey } });
}
