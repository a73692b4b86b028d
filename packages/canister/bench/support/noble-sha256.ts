/**
 * The @noble/hashes side of the SHA-256 benchmark (sha256.bench.ts): the same exports as `src/sha256.ts`, over
 * @noble/hashes' `sha256` used as ic-ws-protocol uses it for its default node hashes (one hasher reset by
 * cloning a pristine one, digested into the caller's array: noble's fastest way to hash many small inputs).
 * The benchmark builds the ws-test canister a second time with this file in place of `src/sha256.ts`
 * (support/variant-canister.ts) and the bench/sha256 canister calls both directly.
 */
import { sha256 } from '@noble/hashes/sha2';
import type { Sha256Into } from 'ic-ws-protocol';

const pristine = sha256.create();
let scratch: ReturnType<typeof sha256.create> | undefined;

/** SHA-256 of the concatenation of `parts`, written into `out` (32 bytes), which it returns. */
export const interpreterSha256Into: Sha256Into = (out, parts) => {
  const hasher = pristine._cloneInto(scratch);
  scratch = hasher;
  for (const part of parts) hasher.update(part);
  hasher.digestInto(out);
  return out;
};

/** SHA-256 of `data` (a new 32-byte array). */
export function interpreterSha256(data: Uint8Array): Uint8Array {
  return interpreterSha256Into(new Uint8Array(32), [data]);
}
