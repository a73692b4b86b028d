/**
 * `dfx deploy` in this repository (issue [templates]): dfx builds each canister of the root dfx.json with
 * the command of azle's dfx extension, `npm --offline --prefix=<main> exec azle build <name>`, from the
 * root. Under pnpm's layout azle's bundler (esbuild with preserveSymlinks) must still find azle's own
 * runtime imports (uuid, @sinonjs/text-encoding): pnpm-workspace.yaml hoists them. This runs that exact
 * command for every canister of the root dfx.json (dfx itself is not needed for it).
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDfxAzleBuild } from './support/dfx-azle-build';
import { repoRoot } from './support/packed-app';
import { shellEnv } from './support/user-env';

interface DfxJson {
  canisters: Record<string, { type?: string; main?: string }>;
}

// A user's shell: nothing of pnpm's or vitest's environment (pnpm's NODE_PATH would hide a missing hoist).
const userEnv = shellEnv();

describe('the root dfx.json', async () => {
  const dfx = JSON.parse(await readFile(join(repoRoot, 'dfx.json'), 'utf8')) as DfxJson;

  it("declares its canisters in azle 0.33's format", () => {
    expect(Object.keys(dfx.canisters).length).toBeGreaterThan(0);
    for (const [name, canister] of Object.entries(dfx.canisters)) {
      expect(canister, name).toEqual({ type: 'azle', main: expect.stringMatching(/^examples\/[^/]+\/src\/.+\.ts$/) });
    }
  });

  for (const [name, canister] of Object.entries(dfx.canisters)) {
    it(`${name}: the build dfx runs succeeds from the repository root`, async () => {
      const exampleDir = join(repoRoot, canister.main!.split('/').slice(0, 2).join('/'));
      const { wasm, did, command } = await runDfxAzleBuild(repoRoot, name, canister.main!, userEnv, exampleDir);
      expect(command).toBe(`AZLE_DFX_ROOT=$(pwd) npm --offline --prefix=${canister.main} exec azle build ${name}`);
      expect((await readFile(wasm)).subarray(0, 4)).toEqual(Buffer.from([0, 0x61, 0x73, 0x6d]));
      expect(await readFile(did, 'utf8')).toMatch(/ws_get_messages\s*:.* query;/);
      expect(dirname(wasm)).toBe(join(repoRoot, '.azle', name));
    });
  }
});
