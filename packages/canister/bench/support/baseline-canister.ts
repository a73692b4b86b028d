/**
 * The "before" side of the canister benchmarks: the ws-test canister built from the library as it was at
 * {@link BASELINE_COMMIT} (ic-ws-canister and ic-ws-protocol sources, the test canister, the tsconfigs), taken
 * out of git into `bench/.baseline/<commit>/` and built by azle like the current one. Both sides then run
 * in the same devnet, side by side, so a ratio compares algorithms, not machines or moments.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAzleCanister } from 'ic-ws-devnet';

/**
 * main just before the fast path (2026-12-03): each poll built a reply object per message and azle Candid-
 * encoded it; keys, witnesses and hashes went through the generic encoders and @noble/hashes.
 */
export const BASELINE_COMMIT = '87b371e4ae11f492f0bac88d51259e251173cafe';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));
// What the ws-test canister is built from (the tsconfig chain, the library and protocol sources).
const TREE = [
  'tsconfig.base.json',
  'packages/protocol/src',
  'packages/canister/src',
  'packages/canister/tsconfig.json',
  'packages/canister/tests/canisters/ws-test',
];
// Dependencies resolve from the checked-out tree as from the real one: through links to its node_modules.
const NODE_MODULES = ['node_modules', 'packages/protocol/node_modules', 'packages/canister/node_modules'];

/** Builds (cached) the baseline ws-test canister and reads its wasm. */
export async function buildBaselineWsTest(): Promise<Uint8Array> {
  const dir = fileURLToPath(new URL(`../.baseline/${BASELINE_COMMIT.slice(0, 12)}/`, import.meta.url));
  if (!existsSync(join(dir, 'packages/canister/tests/canisters/ws-test/dfx.json'))) {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    const archive = execFileSync('git', ['-C', repo, 'archive', '--format=tar', BASELINE_COMMIT, ...TREE], { maxBuffer: 256 * 1024 * 1024 });
    execFileSync('tar', ['-x', '-C', dir], { input: archive });
    for (const folder of NODE_MODULES) await symlink(join(repo, folder), join(dir, folder), 'dir');
  }
  const built = await buildAzleCanister({ dfxJsonDir: join(dir, 'packages/canister/tests/canisters/ws-test'), name: 'ws_test' });
  return new Uint8Array(await readFile(built.wasmPath));
}
