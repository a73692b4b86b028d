/**
 * The SHA-256 benchmark's canister (sha256.bench.ts), so the devnet's metering counts what each form costs
 * inside Azle's interpreter:
 * - `hash`: hashes `times` distinct inputs of `length` bytes with the library's SHA-256 or @noble/hashes'. The
 *   inputs differ in their first two bytes, so the library's reuse of a repeated first block never applies:
 *   every block is compressed.
 * - `compress`: runs a compression function alone over `blocks` blocks: the library's (rounds written out)
 *   or the same rounds in loops.
 * `times` / `blocks` = 0 measures the call around the work.
 */
import { IDL, query } from 'azle';
import type { Sha256Into } from 'ic-ws-protocol';
import { compress as writtenOut } from '../../../src/sha256-compress';
import { interpreterSha256Into as ours } from '../../../src/sha256';
import { interpreterSha256Into as noble } from '../../support/noble-sha256';
import { loopCompress } from '../../support/sha256-loop-compress';

const HASHES: Record<string, Sha256Into> = { ours, noble };
const COMPRESSIONS: Record<string, (state: Int32Array, block: Uint8Array, at: number) => void> = { 'written-out': writtenOut, loop: loopCompress };

export default class {
  @query([IDL.Text, IDL.Nat32, IDL.Nat32], IDL.Nat8)
  hash(implementation: string, length: number, times: number): number {
    const hashInto = HASHES[implementation];
    if (hashInto === undefined) throw new Error(`unknown implementation ${implementation}`);
    const input = new Uint8Array(length);
    const out = new Uint8Array(32);
    let folded = 0;
    for (let i = 0; i < times; i++) {
      input[0] = i;
      input[1] = i >>> 8;
      folded ^= hashInto(out, [input])[0] as number;
    }
    return folded;
  }

  @query([IDL.Text, IDL.Nat32], IDL.Int32)
  compress(form: string, blocks: number): number {
    const compressInto = COMPRESSIONS[form];
    if (compressInto === undefined) throw new Error(`unknown compression ${form}`);
    const data = new Uint8Array(64 * blocks);
    const state = new Int32Array(8);
    for (let at = 0; at < data.length; at += 64) compressInto(state, data, at);
    return state[0];
  }
}
