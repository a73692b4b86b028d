import { hashedKeyPriority, OUTGOING_KEY_NONCE_DIGITS } from 'ic-ws-protocol';

const DIGIT_0 = 0x30;
// Above every trailing-zero count of a u64: nonce 0 sits above all of its queue.
const ZERO_NONCE_RANK = 64;
const TIE_BREAK_RANGE = 2 ** 32;

/**
 * The treap priority of a queued message's key (`<gateway>_<20-digit nonce>`) in the certified map: the number
 * of trailing zero bits of the nonce, then (among equal counts) the default hash of the key. A gateway's keys
 * are consecutive nonces, so its part of the tree is the Cartesian tree of the "ruler" sequence, nearly
 * perfectly balanced, where appending nonce `m` rehashes about one node per set bit of `m` (above the queue's
 * oldest nonce) and deleting the oldest nonces about as few, where a hashed priority's random shape rehashes
 * about ln n nodes for each, and about twice that where another gateway's keys follow (an append lands inside
 * the tree). Measured on the queue workload of a `ws_message` that queues its echo and its receipt and prunes
 * as many, 120 messages retained (queue-key-priority.test.ts): 9.8 fork hashes per call against 11.8 with one
 * gateway, 10.8 against 16.8 beside another gateway's queue (each fork is two SHA-256 blocks, ~1.5 M
 * instructions in a canister). Keys of different gateways with equal counts are ordered by the hash. A key not
 * ending in the nonce's digits (never queued) gets the hash alone.
 */
export function queueKeyPriority(key: Uint8Array): number {
  const start = key.length - OUTGOING_KEY_NONCE_DIGITS;
  if (start < 0) return hashedKeyPriority(key);
  // The 20 digits as two 10-digit halves: each fits a double exactly.
  let high = 0;
  let low = 0;
  for (let i = start; i < key.length; i++) {
    const digit = (key[i] as number) - DIGIT_0;
    if (digit < 0 || digit > 9) return hashedKeyPriority(key);
    if (i - start < 10) high = high * 10 + digit;
    else low = low * 10 + digit;
  }
  return trailingZeros(high, low) * TIE_BREAK_RANGE + hashedKeyPriority(key);
}

/** Trailing zero bits of the nonce `high * 10^10 + low` (`low` < 10^10). */
function trailingZeros(high: number, low: number): number {
  if (high === 0) {
    if (low === 0) return ZERO_NONCE_RANK;
    let zeros = 0;
    for (let rest = low; rest % 2 === 0; rest /= 2) zeros++;
    return zeros;
  }
  // Nonces from 10^10 on (not met in practice): exact in a bigint.
  let rest = BigInt(high) * 10_000_000_000n + BigInt(low);
  let zeros = 0;
  for (; (rest & 1n) === 0n; rest >>= 1n) zeros++;
  return zeros;
}
