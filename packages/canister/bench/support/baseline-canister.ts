/**
 * The "before" side of the canister benchmarks: the ws-test canister built from the library as it was at
 * {@link BASELINE_COMMIT} (ic-ws-canister and ic-ws-protocol sources, the test canister, the tsconfigs), taken
 * out of git into `bench/.baseline/<commit>/` and built by azle like the current one. Both sides then run
 * in the same devnet, side by side, so a ratio compares algorithms, not machines or moments.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildWsTestTree, REPO, WS_TEST_TREE } from './ws-test-tree';

/**
 * main just before the fast path (2026-12-03): each poll built a reply object per message and azle Candid-
 * encoded it; keys, witnesses and hashes went through the generic encoders and @noble/hashes.
 */
export const BASELINE_COMMIT = '87b371e4ae11f492f0bac88d51259e251173cafe';

/** Builds (cached) the baseline ws-test canister and reads its wasm. */
export async function buildBaselineWsTest(): Promise<Uint8Array> {
  const dir = fileURLToPath(new URL(`../.baseline/${BASELINE_COMMIT.slice(0, 12)}/`, import.meta.url));
  if (!existsSync(join(dir, 'packages/canister/tests/canisters/ws-test/dfx.json'))) {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    const archive = execFileSync('git', ['-C', REPO, 'archive', '--format=tar', BASELINE_COMMIT, ...WS_TEST_TREE], { maxBuffer: 256 * 1024 * 1024 });
    execFileSync('tar', ['-x', '-C', dir], { input: archive });
  }
  return buildWsTestTree(dir);
}
