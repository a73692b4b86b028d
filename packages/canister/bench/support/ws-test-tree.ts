/**
 * The files the ws-test canister is built from, and building it from a copy of them: how the benchmarks build
 * the canister over another version of the library (the baseline commit, baseline-canister.ts; this checkout
 * with @noble/hashes in place of the library's SHA-256, variant-canister.ts) with azle, exactly as the current
 * side is built (tests/support/ws-test-canister.ts).
 */
import { existsSync } from 'node:fs';
import { readFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAzleCanister } from 'ic-ws-devnet';

/** The repository's root. */
export const REPO = fileURLToPath(new URL('../../../../', import.meta.url));

/** What the ws-test canister is built from (the tsconfig chain, the library and protocol sources), from the root. */
export const WS_TEST_TREE = [
  'tsconfig.base.json',
  'packages/protocol/src',
  'packages/canister/src',
  'packages/canister/tsconfig.json',
  'packages/canister/tests/canisters/ws-test',
];

// Dependencies resolve from a copied tree as from the real one: through links to its node_modules.
const NODE_MODULES = ['node_modules', 'packages/protocol/node_modules', 'packages/canister/node_modules'];

/**
 * Builds (cached by azle's build cache, keyed on the canister's and the library's sources in `dir`) the ws-test
 * canister of a tree copied into `dir`, and reads its wasm.
 */
export async function buildWsTestTree(dir: string): Promise<Uint8Array> {
  for (const folder of NODE_MODULES) {
    if (!existsSync(join(dir, folder))) await symlink(join(REPO, folder), join(dir, folder), 'dir');
  }
  const built = await buildAzleCanister({
    dfxJsonDir: join(dir, 'packages/canister/tests/canisters/ws-test'),
    name: 'ws_test',
    extraInputs: [join(dir, 'packages/canister/src'), join(dir, 'packages/protocol/src')],
  });
  return new Uint8Array(await readFile(built.wasmPath));
}
