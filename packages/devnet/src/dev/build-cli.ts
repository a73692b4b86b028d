/**
 * `ic-ws-devnet build [names...]`: builds the Azle canisters of ./dfx.json offline with the project's azle
 * (no dfx, no azle install script, CANISTER_CANDID_PATH handled), cached by a hash of their inputs, and
 * leaves `<name>.wasm` and `<name>.did` in `.azle/<name>/`, where dfx's azle extension puts them.
 */
import { statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ErrorCode, IcWsError } from 'ic-ws-protocol';
import { buildProjectCanister, projectCanisters } from './project-canisters';

export const BUILD_HELP = `Usage: ic-ws-devnet build [names...] [options]

Builds the Azle canisters of ./dfx.json (all of type "azle", or the names given) offline, with the azle
your project installed: no dfx, and azle's install script never runs. Unchanged canisters come from a cache
(.azle/ic-ws-cache). Each build leaves <name>.wasm and <name>.did in .azle/<name>/.

Options:
  --project <dir>   the folder with dfx.json (default: the current folder)
  -h, --help        show this help
`;

/** Runs the build command. */
export async function runBuildCli(argv: readonly string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: { project: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    throw new IcWsError(ErrorCode.InvalidOptions, `${error instanceof Error ? error.message : String(error)} (see ic-ws-devnet build --help)`);
  }
  if (parsed.values.help) {
    process.stdout.write(BUILD_HELP);
    return;
  }
  const projectDir = resolve(parsed.values.project ?? process.cwd());
  const canisters = await projectCanisters(projectDir, parsed.positionals.length > 0 ? parsed.positionals : undefined);
  for (const canister of canisters) {
    const started = performance.now();
    const outDir = join(projectDir, '.azle', canister.name);
    const built = await buildProjectCanister(projectDir, canister, outDir);
    const where = relative(process.cwd(), built.wasmPath) || built.wasmPath;
    const size = (statSync(built.wasmPath).size / 1_000_000).toFixed(1);
    const how = built.cached ? 'unchanged, from the cache' : `built in ${((performance.now() - started) / 1000).toFixed(1)} s`;
    process.stdout.write(`${canister.name}: ${where} (${size} MB, ${how}) and ${relative(process.cwd(), built.didPath) || built.didPath}\n`);
  }
}
