import { createHash } from 'node:crypto';

/**
 * The signed fields of a query answer (IC interface spec, "Query call"), but the timestamp, which each node
 * signature carries on its own.
 */
export type QueryAnswer =
  | { status: 'replied'; arg: Uint8Array; requestId: Uint8Array }
  /** `errorCode` is optional in the IC interface spec: when absent it is not part of the signed map. */
  | { status: 'rejected'; rejectCode: number; rejectMessage: string; errorCode?: string; requestId: Uint8Array };

const sha256 = (data: Uint8Array | string): Buffer => createHash('sha256').update(data).digest();

// Hashes of the map keys, computed once.
const KEY = Object.fromEntries(
  ['status', 'reply', 'arg', 'timestamp', 'request_id', 'reject_code', 'reject_message', 'error_code'].map((name) => [name, sha256(name)]),
) as Record<'status' | 'reply' | 'arg' | 'timestamp' | 'request_id' | 'reject_code' | 'reject_message' | 'error_code', Buffer>;

/**
 * The representation-independent hash of a query answer's signed map, as signed at `timestamp`: `{ status, reply: { arg }, timestamp,
 * request_id }` or `{ status, reject_code, reject_message, error_code, timestamp, request_id }`. The same value
 * as agent-js's `hashOfMap` (checked by its test), with Node's SHA-256: this runs on every poll.
 */
export function queryResponseHash(response: QueryAnswer, timestamp: bigint): Buffer {
  const pairs: Buffer[] = [pair(KEY.status, sha256(response.status)), pair(KEY.timestamp, sha256(leb128(timestamp))), pair(KEY.request_id, sha256(response.requestId))];
  if (response.status === 'replied') {
    pairs.push(pair(KEY.reply, sha256(pair(KEY.arg, sha256(response.arg)))));
  } else {
    pairs.push(pair(KEY.reject_code, sha256(leb128(BigInt(response.rejectCode)))), pair(KEY.reject_message, sha256(response.rejectMessage)));
    if (response.errorCode !== undefined) pairs.push(pair(KEY.error_code, sha256(response.errorCode)));
  }
  // A map hashes its `hash(key) || hash(value)` pairs in byte order.
  pairs.sort(Buffer.compare);
  return sha256(Buffer.concat(pairs));
}

function pair(keyHash: Buffer, valueHash: Buffer): Buffer {
  return Buffer.concat([keyHash, valueHash]);
}

/** Unsigned LEB128 of a natural number. */
function leb128(value: bigint): Uint8Array {
  const bytes: number[] = [];
  let rest = value;
  do {
    let byte = Number(rest & 0x7fn);
    rest >>= 7n;
    if (rest > 0n) byte |= 0x80;
    bytes.push(byte);
  } while (rest > 0n);
  return Uint8Array.from(bytes);
}
