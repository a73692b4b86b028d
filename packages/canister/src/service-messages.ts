import { IDL } from '@dfinity/candid';
import {
  CanisterReceiptMessageContentIdl,
  MAX_RECEIPT_REASON_BYTES,
  WebsocketServiceMessageContentIdl,
  type ClientKey,
  type CloseMessageReasonName,
  type ReceiptOutcome,
  type WebsocketServiceMessageContent,
} from 'ic-ws-protocol';
import { CandidValueEncoder } from './candid-value-encoder';

/**
 * The service messages the canister sends, Candid-encoded as the protocol package's `encodeServiceMessageContent`
 * encodes them (`service-messages.test.ts` checks every kind against it). Building the type table of
 * `WebsocketServiceMessageContent` (five variants and their records) is most of what `IDL.encode` costs in the
 * canister's interpreter: 21.5 M instructions for one receipt, three times what queueing it costs, against
 * 0.95 M with the table built once ({@link CandidValueEncoder}, as here); a receipt goes out with every app
 * message of a client that asked for receipts (bench/message-costs.ts measures both kinds of `ws_message`).
 * Acks and close messages go out by the thousand (one ack per client per round), so their bytes are computed
 * once and reused: a close message has only four possible encodings, and an ack's only variable part is its
 * `nat64`, which Candid writes as the last 8 bytes, little-endian.
 */
const serviceEncoder = new CandidValueEncoder(WebsocketServiceMessageContentIdl);
/**
 * Receipts go only to ic-ws clients (which asked for them) and are typed with the one variant arm they use:
 * a value of `variant { ReceiptMessage }` decodes as `WebsocketServiceMessageContent` (Candid's variant
 * subtyping), and its type table is 59 bytes against 157, so a receipt's certified message is two SHA-256
 * blocks shorter (~1.5 M instructions less per receipt in the canister, less to decode in the client).
 */
const receiptEncoder = new CandidValueEncoder<WebsocketServiceMessageContent>(
  IDL.Variant({ ReceiptMessage: CanisterReceiptMessageContentIdl }) as unknown as IDL.Type<WebsocketServiceMessageContent>,
);
let ackTemplate: Uint8Array | undefined;
const closeMessages = new Map<CloseMessageReasonName, Uint8Array>();
/** A receipt without a reason, encoded once per outcome, and where its `sequence_num` (8 bytes LE) sits. */
const receiptTemplates = new Map<'Delivered' | 'Duplicate', { bytes: Uint8Array; at: number }>();

function encodeServiceContent(content: WebsocketServiceMessageContent): Uint8Array {
  return serviceEncoder.encode(content);
}

/** Candid bytes of `AckMessage{last_incoming_sequence_num}`. */
export function ackMessageContent(lastIncomingSequenceNum: bigint): Uint8Array {
  ackTemplate ??= encodeServiceContent({ AckMessage: { last_incoming_sequence_num: 0n } });
  const out = ackTemplate.slice();
  new DataView(out.buffer).setBigUint64(out.length - 8, lastIncomingSequenceNum, true);
  return out;
}

/** Candid bytes of `CloseMessage{reason}`. */
export function closeMessageContent(reason: CloseMessageReasonName): Uint8Array {
  let bytes = closeMessages.get(reason);
  if (!bytes) {
    bytes = encodeServiceContent({ CloseMessage: { reason: { [reason]: null } as Record<CloseMessageReasonName, null> } as never });
    closeMessages.set(reason, bytes);
  }
  return bytes.slice();
}

/** Candid bytes of `OpenMessage{client_key, extensions}` (`extensions` absent when empty). */
export function openMessageContent(clientKey: ClientKey, extensions: readonly string[]): Uint8Array {
  return encodeServiceContent({ OpenMessage: { client_key: clientKey, extensions: extensions.length > 0 ? [[...extensions]] : [] } });
}

/**
 * Candid bytes of `ReceiptMessage{sequence_num, outcome}`, a `Failed` reason cut to its byte limit. `Delivered`
 * and `Duplicate` receipts (one per app message of a client that asked for them) are a template with the
 * sequence number written in: 1 M instructions less each than encoding the value.
 */
export function receiptMessageContent(sequenceNum: bigint, outcome: ReceiptOutcome): Uint8Array {
  if ('Failed' in outcome) {
    const bounded = { Failed: truncateUtf8(outcome.Failed, MAX_RECEIPT_REASON_BYTES) };
    return receiptEncoder.encode({ ReceiptMessage: { sequence_num: sequenceNum, outcome: bounded } });
  }
  const kind = 'Delivered' in outcome ? 'Delivered' : 'Duplicate';
  let template = receiptTemplates.get(kind);
  if (template === undefined) {
    const encode = (n: bigint) => receiptEncoder.encode({ ReceiptMessage: { sequence_num: n, outcome: { [kind]: null } as ReceiptOutcome } });
    const bytes = encode(0n);
    // Every byte of this number is non-zero, so the first byte that differs is where the nat64 starts.
    const marked = encode(0x0807060504030201n);
    template = { bytes, at: marked.findIndex((byte, i) => byte !== bytes[i]) };
    receiptTemplates.set(kind, template);
  }
  const out = template.bytes.slice();
  new DataView(out.buffer).setBigUint64(template.at, sequenceNum, true);
  return out;
}

/** `text` cut to at most `maxBytes` of UTF-8, never inside a character, with `…` when cut. */
export function truncateUtf8(text: string, maxBytes: number): string {
  const encoder = new TextEncoder();
  if (encoder.encode(text).length <= maxBytes) return text;
  let out = '';
  let bytes = 3; // the ellipsis
  for (const char of text) {
    const size = encoder.encode(char).length;
    if (bytes + size > maxBytes) break;
    out += char;
    bytes += size;
  }
  return `${out}…`;
}
