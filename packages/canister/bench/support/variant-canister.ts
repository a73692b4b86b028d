/**
 * The @noble/hashes side of the SHA-256 benchmark (sha256.bench.ts): the ws-test canister built from this
 * checkout's library with one file changed, `packages/canister/src/sha256.ts` replaced by noble-sha256.ts (the
 * same exports over @noble/hashes). The tree is copied into `bench/.variants/noble-sha256/` (git-ignored) on
 * every run, so the variant always differs from the current library by that file alone.
 */
import { copyFile, cp, mkdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildWsTestTree, REPO, WS_TEST_TREE } from './ws-test-tree';

/** Builds the ws-test canister over @noble/hashes' SHA-256 and reads its wasm. */
export async function buildNobleSha256WsTest(): Promise<Uint8Array> {
  const dir = fileURLToPath(new URL('../.variants/noble-sha256/', import.meta.url));
  // The copies are replaced; the azle build folder (and its cache) under the canister stays.
  for (const path of WS_TEST_TREE.filter((path) => !path.endsWith('ws-test'))) await rm(join(dir, path), { recursive: true, force: true });
  await mkdir(join(dir, 'packages/canister/tests/canisters'), { recursive: true });
  for (const path of WS_TEST_TREE) {
    await cp(join(REPO, path), join(dir, path), { recursive: true, filter: (source) => basename(source) !== '.azle' });
  }
  await copyFile(fileURLToPath(new URL('./noble-sha256.ts', import.meta.url)), join(dir, 'packages/canister/src/sha256.ts'));
  return buildWsTestTree(dir);
}
