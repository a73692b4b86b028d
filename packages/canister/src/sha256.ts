import type { Sha256Into } from 'ic-ws-protocol';
import { compress } from './sha256-compress';

/**
 * SHA-256 (FIPS 180-4) for a JavaScript interpreter: the QuickJS inside an Azle canister, where SHA-256 is most
 * of what queueing a message costs (each message is hashed, then its certified-map leaf, its labeled entry and
 * a fork: 4 hashes, 10 blocks). The input is hashed in one padded copy by the written-out compression function
 * (sha256-compress.ts), and the state after a repeated first block is reused. Measured side by side in one
 * devnet (bench/sha256.bench.ts): 0.67 M instructions per 64-byte block against 1.59 M for @noble/hashes
 * (2.36x), 9.3 M against 20.8 M instructions per message queued by `send_many` (2.2x); polls hash nothing and
 * cost the same. @noble/hashes stays the hash everywhere else (in V8 it is as fast, and it is audited). Tested
 * against `node:crypto` (sha256.test.ts).
 */
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

const state = new Int32Array(8);

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
      compress(state, padded, 0);
      older.filled = true;
      older.block.set(padded.subarray(0, 64));
      older.state.set(state);
      firstBlocks.reverse();
    }
  } else {
    state.set(IV);
  }
  for (; block < end; block += 64) compress(state, padded, block);
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
