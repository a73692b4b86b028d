/**
 * Test fixtures: builds (cached) the `minimal` and `limits` test canisters in `tests/canisters`.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { buildAzleCanister } from '../../src/azle/build-canister';

async function build(name: 'minimal' | 'limits'): Promise<Uint8Array> {
  const built = await buildAzleCanister({ dfxJsonDir: fileURLToPath(new URL(`./${name}`, import.meta.url)), name });
  return new Uint8Array(await readFile(built.wasmPath));
}

/** The smallest Azle canister: `noop()`, an empty update. */
export function buildMinimal(): Promise<Uint8Array> {
  return build('minimal');
}

/** The limits canister (see `limits/src/index.ts`). */
export function buildLimits(): Promise<Uint8Array> {
  return build('limits');
}
