import { encodeMessagesReplyOk, type MessagesReplyFields } from 'ic-ws-protocol';
import type { GatewayQueue, OutgoingQueues, QueuedMessage } from './outgoing-queues';

/**
 * Byte accounting of a `ws_get_messages` reply. A batch is a contiguous run of keys of the certified map, so
 * its witness reveals each message's labelled leaf plus, once per batch, the two boundary paths to the root
 * with their pruned siblings. The estimate below over-counts both; the built reply is measured anyway and
 * trimmed if it were ever over budget.
 */
// Candid header, type table, variant index and the lengths of the vector and the three blobs.
const REPLY_FIXED_BYTES = 512;
// Per CanisterOutputMessage beyond content and key: principal tag and length, nonce, three LEB lengths.
const MESSAGE_FRAMING_BYTES = 48;
// Per revealed key in the witness beyond the key itself: fork, labelled node and leaf heads, 32-byte leaf.
const WITNESS_BYTES_PER_KEY = 64;
// Per level of a boundary path: a fork head and a pruned 32-byte hash with its CBOR head, rounded up.
const WITNESS_BYTES_PER_LEVEL = 48;
/** What a certificate with a subnet delegation may take, reserved when checking that a message can fit. */
export const CERTIFICATE_RESERVE_BYTES = 16 * 1024;
// Depth assumed when the queue size is unknown (at send time): far beyond any realistic map.
const MAX_TREE_LEVELS = 160;

/**
 * A generous estimate of the certified map's depth for `n` entries. The map is a treap whose priorities are
 * the trailing zero bits of each key's nonce (queue-key-priority.ts): a gateway's run of consecutive nonces
 * is a Cartesian tree of the ruler sequence, at most about 2 log2(n) deep, and the gateways' runs hang from
 * a top part with about one level per gateway at worst. Only an estimate: the built reply is measured.
 */
function treeLevels(n: number, gateways: number): number {
  return Math.min(MAX_TREE_LEVELS, Math.ceil(3 * Math.log2(n + 2)) + gateways + 8);
}

/** Witness bytes of the two boundary paths of a batch. */
function boundaryPathBytes(levels: number): number {
  return 2 * levels * WITNESS_BYTES_PER_LEVEL;
}

/** Reply bytes one message takes: content, key, framing and its own part of the witness. */
function messageCost(contentBytes: number, keyBytes: number): number {
  return contentBytes + MESSAGE_FRAMING_BYTES + 2 * keyBytes + WITNESS_BYTES_PER_KEY;
}

/**
 * The largest reply a single message of `encodedBytes` (its CBOR WebsocketMessage) could need, whatever the
 * queue size: `send` refuses messages above the budget, so every queued message fits in a reply alone.
 */
export function worstCaseSingleReplyBytes(encodedBytes: number, keyBytes: number): number {
  return REPLY_FIXED_BYTES + CERTIFICATE_RESERVE_BYTES + boundaryPathBytes(MAX_TREE_LEVELS) + messageCost(encodedBytes, keyBytes);
}

/**
 * The Candid bytes of the reply for an empty batch (protocol.md section 3): no messages, empty cert and tree.
 * `nextNonce` is the live end of the gateway's queue (the `next_nonce` extension, protocol.md section 8).
 */
export function emptyReplyCandid(nextNonce: bigint): Uint8Array {
  return encodeMessagesReplyOk({ cert: new Uint8Array(), tree: new Uint8Array(), is_end_of_queue: true, next_nonce: [nextNonce] }, []);
}

/** Limits of one reply. */
export interface ReplyLimits {
  maxMessages: number;
  maxBytes: number;
}

/**
 * The Candid bytes of the `ws_get_messages` reply (`variant { Ok }`) for `gateway` from `nonce` on: starts at
 * the oldest kept message if `nonce` is older, returns at most `maxMessages` and stays within `maxBytes`
 * (always at least one message when any is queued), with a witness revealing exactly the returned keys.
 * Each message's bytes were encoded when it was queued; here they are only read and spliced in, so a poll
 * costs a stable-memory read per message plus the witness. O(k log n) for k messages.
 */
export function buildMessagesReply(
  queues: OutgoingQueues,
  gateway: GatewayQueue,
  nonce: bigint,
  cert: Uint8Array,
  limits: ReplyLimits,
): Uint8Array {
  const { oldestNonce, nextNonce } = gateway.record;
  const start = nonce < oldestNonce ? oldestNonce : nonce;
  if (start >= nextNonce) return emptyReplyCandid(nextNonce);

  const budget = limits.maxBytes - REPLY_FIXED_BYTES - cert.length - boundaryPathBytes(treeLevels(queues.messageCount, queues.gatewayCount));
  const batch: QueuedMessage[] = [];
  let used = 0;
  for (let n = start; n < nextNonce && batch.length < limits.maxMessages; n++) {
    const message = queues.read(gateway, n);
    if (!message) break;
    const cost = message.record.output.length + WITNESS_BYTES_PER_KEY + message.key.length;
    if (batch.length > 0 && used + cost > budget) break;
    batch.push(message);
    used += cost;
  }

  // The estimate is an upper bound; measuring the real reply keeps the guarantee even if it were not.
  for (;;) {
    const tree = queues.witness((batch[0] as QueuedMessage).key, (batch[batch.length - 1] as QueuedMessage).key);
    const fields: MessagesReplyFields = { cert, tree, is_end_of_queue: start + BigInt(batch.length) >= nextNonce, next_nonce: [nextNonce] };
    const reply = encodeMessagesReplyOk(fields, batch.map((message) => message.record.output));
    if (batch.length <= 1 || reply.length <= limits.maxBytes) return reply;
    batch.length = Math.max(1, Math.floor(batch.length / 2));
  }
}
