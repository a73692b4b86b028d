import { sha256 } from '@noble/hashes/sha256';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils';
import type { CborValue } from 'ic-ws-protocol';

/**
 * The IC's representation-independent hash of a decoded CBOR value: text is hashed as UTF-8, blobs as
 * themselves, unsigned integers as their unsigned LEB128, arrays as the concatenated hashes of their items,
 * and maps as the sorted concatenation of `hash(key) || hash(value)` pairs. Returns `undefined` for values
 * that have no such hash (negative or fractional numbers, booleans, null, non-text map keys), which the
 * interface treats as a malformed request.
 */
export function representationIndependentHash(value: CborValue): Uint8Array | undefined {
  if (typeof value === 'string') return sha256(utf8ToBytes(value));
  if (value instanceof Uint8Array) return sha256(value);
  if (typeof value === 'number' || typeof value === 'bigint') {
    const leb = unsignedLeb128(value);
    return leb && sha256(leb);
  }
  if (Array.isArray(value)) {
    const hashes: Uint8Array[] = [];
    for (const item of value) {
      const hash = representationIndependentHash(item);
      if (!hash) return undefined;
      hashes.push(hash);
    }
    return sha256(concatBytes(...hashes));
  }
  if (value instanceof Map) return hashOfMap(value);
  return undefined;
}

/** The request id of a request's `content` map: its representation-independent hash. */
export function requestIdOf(content: Map<CborValue, CborValue>): Uint8Array | undefined {
  return hashOfMap(content);
}

function hashOfMap(map: Map<CborValue, CborValue>): Uint8Array | undefined {
  const pairs: Uint8Array[] = [];
  for (const [key, value] of map) {
    if (typeof key !== 'string') return undefined;
    const valueHash = representationIndependentHash(value);
    if (!valueHash) return undefined;
    pairs.push(concatBytes(sha256(utf8ToBytes(key)), valueHash));
  }
  // Sorting the 64-byte pairs sorts by key hash first; key hashes are unique because CBOR map keys are.
  pairs.sort(compareBytes);
  return sha256(concatBytes(...pairs));
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  }
  return a.length - b.length;
}

/** Unsigned LEB128 of a non-negative integer, or `undefined` for anything else. */
export function unsignedLeb128(value: number | bigint): Uint8Array | undefined {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) return undefined;
  let rest = BigInt(value);
  if (rest < 0n) return undefined;
  const out: number[] = [];
  do {
    const byte = Number(rest & 0x7fn);
    rest >>= 7n;
    out.push(rest === 0n ? byte : byte | 0x80);
  } while (rest !== 0n);
  return Uint8Array.from(out);
}
