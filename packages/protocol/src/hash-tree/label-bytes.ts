/**
 * Byte helpers for hash-tree labels and certified-map keys. Labels are compared as raw bytes (the IC
 * interface spec orders labels lexicographically by their bytes), so text is always UTF-8 encoded first.
 */
const utf8 = new TextEncoder();

/** A label or key as the caller may give it: raw bytes, or text that is UTF-8 encoded. */
export type LabelInput = string | Uint8Array;

/** Returns the bytes of a label: text is UTF-8 encoded; bytes are returned as they are (not copied). */
export function labelBytes(label: LabelInput): Uint8Array {
  return typeof label === 'string' ? utf8Bytes(label) : label;
}

/**
 * The UTF-8 bytes of `text`. ASCII (every key and label of the protocol) is copied by a loop: in an interpreter,
 * such as the QuickJS of Azle canisters, whose TextEncoder is a JavaScript polyfill, that costs a fifth as much.
 */
export function utf8Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) return utf8.encode(text);
    out[i] = code;
  }
  return out;
}

/**
 * Orders two byte strings lexicographically (a shorter prefix sorts first), the order the IC uses for
 * hash-tree labels. Returns a negative number, zero or a positive number like `Array.prototype.sort` wants.
 */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** True when `a` and `b` hold the same bytes. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Like {@link compareBytes}, but skips the first `skip` bytes, known to be equal, and also reports how many
 * leading bytes are equal: returns 0 when equal, else ±(common prefix length + 1), negative when `a` sorts
 * first. A search tree descent keeps the common prefix with its bounds and skips it, so its comparisons cost
 * O(key length + depth) in total instead of O(key length x depth) for keys with a long shared prefix (all
 * message keys of one gateway share about 80 bytes).
 */
export function compareBytesFrom(a: Uint8Array, b: Uint8Array, skip: number): number {
  const n = Math.min(a.length, b.length);
  let i = skip;
  while (i < n && a[i] === b[i]) i++;
  if (i < n) return (a[i] as number) < (b[i] as number) ? -(i + 1) : i + 1;
  if (a.length === b.length) return 0;
  return a.length < b.length ? -(i + 1) : i + 1;
}
