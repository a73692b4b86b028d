import type { Sha256Into } from 'ic-ws-protocol';

/**
 * SHA-256 (FIPS 180-4) written for a JavaScript interpreter: the QuickJS inside an Azle canister, where every
 * bytecode costs hundreds of wasm instructions and SHA-256 is most of what a `send` costs (each message is
 * hashed, then its certified-map entry and the forks above it). Working variables stay in locals, eight rounds
 * are written out per loop step so they need no shuffling, and the input is hashed in one padded copy: about
 * 0.85 million instructions per 64-byte block in an Azle 0.33 canister against 1.6 million for @noble/hashes
 * (which stays the hash everywhere else: in V8 it is as fast and it is audited). Tested against `node:crypto`.
 */
// prettier-ignore
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
// prettier-ignore
const IV = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

/**
 * The state after a full first block, for the last two distinct first blocks hashed. Inputs often start with
 * the same 64 bytes: a `labeled` node of a message key (the domain separator and the gateway's part of the
 * key) and a message of one client (the CBOR up to the client's principal); reusing that state skips a block.
 */
interface FirstBlock {
  filled: boolean;
  block: Uint8Array;
  state: Int32Array;
}
// Least recently used first.
const firstBlocks: FirstBlock[] = [
  { filled: false, block: new Uint8Array(64), state: new Int32Array(8) },
  { filled: false, block: new Uint8Array(64), state: new Int32Array(8) },
];

function sameBlock(slot: FirstBlock, padded: Uint8Array): boolean {
  if (!slot.filled) return false;
  const { block } = slot;
  for (let i = 0; i < 64; i++) if (block[i] !== padded[i]) return false;
  return true;
}

// The message schedule, reused: nothing runs between filling and reading it.
const W = new Int32Array(64);
const state = new Int32Array(8);

// Σ0, Σ1 (rounds) and σ0, σ1 (schedule) of FIPS 180-4 are written inline below, as rotations `(x >>> n) |
// (x << (32 - n))`; `| 0` keeps sums to 32 bits.
function compress(block: Uint8Array, at: number): void {
  for (let i = 0; i < 16; i++, at += 4) {
    W[i] = ((block[at] as number) << 24) | ((block[at + 1] as number) << 16) | ((block[at + 2] as number) << 8) | (block[at + 3] as number);
  }
  for (let i = 16; i < 64; i++) {
    const x = W[i - 15] as number;
    const y = W[i - 2] as number;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    W[i] = ((W[i - 16] as number) + s0 + (W[i - 7] as number) + s1) | 0;
  }
  let a = state[0] as number;
  let b = state[1] as number;
  let c = state[2] as number;
  let d = state[3] as number;
  let e = state[4] as number;
  let f = state[5] as number;
  let g = state[6] as number;
  let h = state[7] as number;
  let t1 = 0;
  let t2 = 0;
  // Eight rounds per step, each naming the variables in the place the previous round would have moved them to.
  for (let i = 0; i < 64; i += 8) {
    t1 = (h + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) + ((e & f) ^ (~e & g)) + (K[i] as number) + (W[i] as number)) | 0;
    t2 = ((((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    d = (d + t1) | 0;
    h = (t1 + t2) | 0;
    t1 = (g + (((d >>> 6) | (d << 26)) ^ ((d >>> 11) | (d << 21)) ^ ((d >>> 25) | (d << 7))) + ((d & e) ^ (~d & f)) + (K[i + 1] as number) + (W[i + 1] as number)) | 0;
    t2 = ((((h >>> 2) | (h << 30)) ^ ((h >>> 13) | (h << 19)) ^ ((h >>> 22) | (h << 10))) + ((h & a) ^ (h & b) ^ (a & b))) | 0;
    c = (c + t1) | 0;
    g = (t1 + t2) | 0;
    t1 = (f + (((c >>> 6) | (c << 26)) ^ ((c >>> 11) | (c << 21)) ^ ((c >>> 25) | (c << 7))) + ((c & d) ^ (~c & e)) + (K[i + 2] as number) + (W[i + 2] as number)) | 0;
    t2 = ((((g >>> 2) | (g << 30)) ^ ((g >>> 13) | (g << 19)) ^ ((g >>> 22) | (g << 10))) + ((g & h) ^ (g & a) ^ (h & a))) | 0;
    b = (b + t1) | 0;
    f = (t1 + t2) | 0;
    t1 = (e + (((b >>> 6) | (b << 26)) ^ ((b >>> 11) | (b << 21)) ^ ((b >>> 25) | (b << 7))) + ((b & c) ^ (~b & d)) + (K[i + 3] as number) + (W[i + 3] as number)) | 0;
    t2 = ((((f >>> 2) | (f << 30)) ^ ((f >>> 13) | (f << 19)) ^ ((f >>> 22) | (f << 10))) + ((f & g) ^ (f & h) ^ (g & h))) | 0;
    a = (a + t1) | 0;
    e = (t1 + t2) | 0;
    t1 = (d + (((a >>> 6) | (a << 26)) ^ ((a >>> 11) | (a << 21)) ^ ((a >>> 25) | (a << 7))) + ((a & b) ^ (~a & c)) + (K[i + 4] as number) + (W[i + 4] as number)) | 0;
    t2 = ((((e >>> 2) | (e << 30)) ^ ((e >>> 13) | (e << 19)) ^ ((e >>> 22) | (e << 10))) + ((e & f) ^ (e & g) ^ (f & g))) | 0;
    h = (h + t1) | 0;
    d = (t1 + t2) | 0;
    t1 = (c + (((h >>> 6) | (h << 26)) ^ ((h >>> 11) | (h << 21)) ^ ((h >>> 25) | (h << 7))) + ((h & a) ^ (~h & b)) + (K[i + 5] as number) + (W[i + 5] as number)) | 0;
    t2 = ((((d >>> 2) | (d << 30)) ^ ((d >>> 13) | (d << 19)) ^ ((d >>> 22) | (d << 10))) + ((d & e) ^ (d & f) ^ (e & f))) | 0;
    g = (g + t1) | 0;
    c = (t1 + t2) | 0;
    t1 = (b + (((g >>> 6) | (g << 26)) ^ ((g >>> 11) | (g << 21)) ^ ((g >>> 25) | (g << 7))) + ((g & h) ^ (~g & a)) + (K[i + 6] as number) + (W[i + 6] as number)) | 0;
    t2 = ((((c >>> 2) | (c << 30)) ^ ((c >>> 13) | (c << 19)) ^ ((c >>> 22) | (c << 10))) + ((c & d) ^ (c & e) ^ (d & e))) | 0;
    f = (f + t1) | 0;
    b = (t1 + t2) | 0;
    t1 = (a + (((f >>> 6) | (f << 26)) ^ ((f >>> 11) | (f << 21)) ^ ((f >>> 25) | (f << 7))) + ((f & g) ^ (~f & h)) + (K[i + 7] as number) + (W[i + 7] as number)) | 0;
    t2 = ((((b >>> 2) | (b << 30)) ^ ((b >>> 13) | (b << 19)) ^ ((b >>> 22) | (b << 10))) + ((b & c) ^ (b & d) ^ (c & d))) | 0;
    e = (e + t1) | 0;
    a = (t1 + t2) | 0;
  }
  state[0] = (state[0] as number) + a;
  state[1] = (state[1] as number) + b;
  state[2] = (state[2] as number) + c;
  state[3] = (state[3] as number) + d;
  state[4] = (state[4] as number) + e;
  state[5] = (state[5] as number) + f;
  state[6] = (state[6] as number) + g;
  state[7] = (state[7] as number) + h;
}

/** SHA-256 of the concatenation of `parts`, written into `out` (32 bytes), which it returns. */
export const interpreterSha256Into: Sha256Into = (out, parts) => {
  let length = 0;
  for (const part of parts) length += part.length;
  // The message, 0x80, zeros, and the bit length as a 64-bit big-endian integer, in whole 64-byte blocks.
  const padded = new Uint8Array((length + 72) & ~63);
  let at = 0;
  for (const part of parts) {
    padded.set(part, at);
    at += part.length;
  }
  padded[length] = 0x80;
  const end = padded.length;
  const bits = length * 8;
  padded[end - 5] = Math.floor(length / 0x20000000);
  padded[end - 4] = bits >>> 24;
  padded[end - 3] = bits >>> 16;
  padded[end - 2] = bits >>> 8;
  padded[end - 1] = bits;
  let block = 0;
  if (length >= 64) {
    block = 64;
    const [older, newer] = firstBlocks as [FirstBlock, FirstBlock];
    if (sameBlock(newer, padded)) {
      state.set(newer.state);
    } else if (sameBlock(older, padded)) {
      state.set(older.state);
      firstBlocks.reverse();
    } else {
      state.set(IV);
      compress(padded, 0);
      older.filled = true;
      older.block.set(padded.subarray(0, 64));
      older.state.set(state);
      firstBlocks.reverse();
    }
  } else {
    state.set(IV);
  }
  for (; block < end; block += 64) compress(padded, block);
  for (let i = 0; i < 8; i++) {
    const word = state[i] as number;
    out[4 * i] = word >>> 24;
    out[4 * i + 1] = word >>> 16;
    out[4 * i + 2] = word >>> 8;
    out[4 * i + 3] = word;
  }
  return out;
};

/** SHA-256 of `data` (a new 32-byte array). */
export function interpreterSha256(data: Uint8Array): Uint8Array {
  return interpreterSha256Into(new Uint8Array(32), [data]);
}
