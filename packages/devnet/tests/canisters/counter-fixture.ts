/**
 * Test fixture: builds (cached) and describes the counter test canister in `tests/canisters/counter`.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { IDL } from '@dfinity/candid';
import { buildAzleCanister, type BuiltAzleCanister } from '../../src/azle/build-canister';

/** Folder holding the counter canister's dfx.json. */
export const COUNTER_DIR = fileURLToPath(new URL('./counter', import.meta.url));

/** Builds the counter canister (a cache hit after the first build) and reads its wasm. */
export async function buildCounter(): Promise<BuiltAzleCanister & { wasm: Uint8Array }> {
  const built = await buildAzleCanister({ dfxJsonDir: COUNTER_DIR, name: 'counter' });
  return { ...built, wasm: new Uint8Array(await readFile(built.wasmPath)) };
}

/** Candid init (and post_upgrade) argument of the counter: an optional label. */
export function counterInitArg(label?: string): Uint8Array {
  return new Uint8Array(IDL.encode([IDL.Opt(IDL.Text)], [label === undefined ? [] : [label]]));
}

/** Candid encoding of no arguments. */
export const NO_ARGS = new Uint8Array(IDL.encode([], []));

/** The record `getCertified` returns. */
export const CertifiedValue = IDL.Record({ value: IDL.Nat64, certificate: IDL.Opt(IDL.Vec(IDL.Nat8)) });

/** Big-endian 8-byte encoding: what the counter certifies. */
export function encodeCounterValue(value: bigint): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, value);
  return bytes;
}
