/**
 * The canisters of the demo: the chat, and the ping-pong example when it is in the checkout. Each is
 * built with azle through ic-ws-devnet's `buildAzleCanister`, cached by a hash of its inputs (its own
 * sources and the library sources esbuild compiles into it), so only a changed canister is rebuilt.
 * Tests that need one of these canisters build it with {@link buildDemoCanister} and the same spec: the
 * cache keeps one wasm per canister name, so different inputs would make each rebuild the other's.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildAzleCanister } from 'ic-ws-devnet';

/** One canister of the demo. */
export interface DemoCanisterSpec {
  /** Name in the example's dfx.json (and in the root dfx.json). */
  name: string;
  /** The example's folder, relative to the repository root. */
  dir: string;
  /** Whether the demo runs without it (an example that may not be in every checkout). */
  optional: boolean;
  /** Inputs outside the main file's folder, relative to the example folder. */
  inputs: string[];
}

/** A built canister. */
export interface BuiltDemoCanister {
  name: string;
  wasm: Uint8Array;
  /** The Candid interface azle generated for it. */
  didPath: string;
  /** True when the wasm came from the cache. */
  cached: boolean;
}

// Library sources compiled into every canister (the examples' tsconfig paths point esbuild at them).
const LIBRARY_INPUTS = ['packages/canister/src', 'packages/protocol/src', 'packages/canister/tsconfig.json', 'packages/protocol/tsconfig.json', 'tsconfig.base.json'];

/** The chat is always built; ping_pong joins when examples/ping-pong has its dfx.json. */
export const DEMO_CANISTERS: readonly DemoCanisterSpec[] = [
  { name: 'chat', dir: 'examples/chat', optional: false, inputs: ['src/shared', 'tsconfig.json'] },
  { name: 'ping_pong', dir: 'examples/ping-pong', optional: true, inputs: ['src', 'tsconfig.json'] },
];

/** Builds (or takes from the cache) one demo canister. */
export async function buildDemoCanister(root: string, spec: DemoCanisterSpec, progress: (line: string) => void = () => {}): Promise<BuiltDemoCanister> {
  const dir = join(root, spec.dir);
  progress(`canister ${spec.name}: azle build (skipped when its sources are unchanged)`);
  const startedAt = performance.now();
  const result = await buildAzleCanister({
    dfxJsonDir: dir,
    name: spec.name,
    extraInputs: [...spec.inputs.map((input) => join(dir, input)), ...LIBRARY_INPUTS.map((input) => join(root, input))],
  });
  progress(`canister ${spec.name}: ${result.cached ? 'unchanged, wasm taken from the cache' : `built in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`}`);
  return { name: spec.name, wasm: new Uint8Array(await readFile(result.wasmPath)), didPath: result.didPath, cached: result.cached };
}

/**
 * Builds the demo canisters one after the other (an azle build takes ~400 MB; two at once are no faster on
 * two cores). Optional canisters whose example folder is missing are skipped.
 */
export async function buildDemoCanisters(root: string, progress: (line: string) => void = () => {}): Promise<BuiltDemoCanister[]> {
  const built: BuiltDemoCanister[] = [];
  for (const spec of DEMO_CANISTERS) {
    if (spec.optional && !existsSync(join(root, spec.dir, 'dfx.json'))) continue;
    built.push(await buildDemoCanister(root, spec, progress));
  }
  return built;
}
