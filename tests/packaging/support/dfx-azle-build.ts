/**
 * The build dfx runs for a canister of `"type": "azle"`: the command of azle's dfx extension
 * (`src/stable/build/dfx_extension/extension.json` in the azle package), with its placeholders filled as dfx
 * fills them, run from the dfx project's root with the variable dfx sets for custom builds
 * (`CANISTER_CANDID_PATH`, the extension's candid path). Nothing here needs dfx itself.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

interface ExtensionDefaults {
  build: string;
  candid: string;
  wasm: string;
}

/** azle's dfx extension, as installed for `resolveFrom`. */
export async function azleExtensionDefaults(resolveFrom: string): Promise<ExtensionDefaults> {
  // azle exports no package.json: find its folder as Node would, in node_modules from here upwards.
  let azleDir = join(resolveFrom, 'node_modules', 'azle');
  for (let dir = resolveFrom; !existsSync(join(azleDir, 'package.json')); dir = dirname(dir)) {
    if (dirname(dir) === dir) throw new Error(`azle is not installed for ${resolveFrom}`);
    azleDir = join(dirname(dir), 'node_modules', 'azle');
  }
  const extension = JSON.parse(await readFile(join(azleDir, 'src', 'stable', 'build', 'dfx_extension', 'extension.json'), 'utf8')) as {
    canister_type: { defaults: ExtensionDefaults };
  };
  return extension.canister_type.defaults;
}

/** Runs dfx's build of canister `name` (entry `main`) in the dfx project at `projectRoot`; resolves with the wasm path. */
export async function runDfxAzleBuild(projectRoot: string, name: string, main: string, env: NodeJS.ProcessEnv, resolveFrom = projectRoot): Promise<{ wasm: string; did: string; command: string }> {
  const defaults = await azleExtensionDefaults(resolveFrom);
  const fill = (template: string) => template.replaceAll('{{canister_name}}', name).replaceAll('{{canister.main}}', main);
  const command = fill(defaults.build);
  const did = join(projectRoot, fill(defaults.candid));
  await promisify(execFile)('sh', ['-c', command], { cwd: projectRoot, env: { ...env, CANISTER_CANDID_PATH: did }, timeout: 600_000, maxBuffer: 32 * 1024 * 1024 });
  return { wasm: join(projectRoot, fill(defaults.wasm)), did, command };
}
