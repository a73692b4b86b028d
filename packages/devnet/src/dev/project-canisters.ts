/**
 * The Azle canisters of a project: read from its dfx.json, built offline with the project's azle through
 * `buildAzleCanister` (cached), in dfx.json order.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { realpathSync } from 'node:fs';
import { ErrorCode, IcWsError } from 'ic-ws-protocol';
import { buildAzleCanister, type BuiltAzleCanister } from '../azle/build-canister';

/** One canister of dfx.json. */
export interface ProjectCanister {
  name: string;
  /** Entry file, relative to the dfx.json folder. */
  main: string;
}

/** A built canister. */
export interface BuiltProjectCanister extends BuiltAzleCanister {
  name: string;
}

/** Packages esbuild compiles into an ic-ws canister: their code is part of the build's cache key. */
const COMPILED_IN = ['ic-ws-canister', 'ic-ws-protocol'];

/** The `azle` canisters of `<projectDir>/dfx.json`, or those named in `only` (in that order). */
export async function projectCanisters(projectDir: string, only?: readonly string[]): Promise<ProjectCanister[]> {
  const file = join(projectDir, 'dfx.json');
  let dfxJson: { canisters?: Record<string, { type?: string; main?: string }> };
  try {
    dfxJson = JSON.parse(await readFile(file, 'utf8')) as typeof dfxJson;
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new IcWsError(ErrorCode.InvalidOptions, missing ? `no dfx.json in ${projectDir} (run it in your project's folder)` : `cannot read ${file}: ${String(error)}`, { cause: error });
  }
  const entries = Object.entries(dfxJson.canisters ?? {});
  const azle = entries.filter(([, entry]) => entry.type === 'azle' && typeof entry.main === 'string').map(([name, entry]) => ({ name, main: entry.main! }));
  if (only === undefined) {
    if (azle.length === 0) throw new IcWsError(ErrorCode.InvalidOptions, `${file} declares no canister of type "azle" with a "main" file`);
    return azle;
  }
  return only.map((name) => {
    const found = azle.find((canister) => canister.name === name);
    if (found === undefined) throw new IcWsError(ErrorCode.InvalidOptions, `${file} has no azle canister "${name}" (it has: ${azle.map((c) => c.name).join(', ') || 'none'})`);
    return found;
  });
}

/**
 * Builds one canister (or takes it from the cache). The cache key covers the source folder of the package
 * the entry file belongs to, its tsconfig and package.json, the lockfile, azle's version, and the built
 * code of ic-ws-canister and ic-ws-protocol as the entry file resolves them.
 */
export async function buildProjectCanister(projectDir: string, canister: ProjectCanister, outDir?: string): Promise<BuiltProjectCanister> {
  const entry = resolve(projectDir, canister.main);
  if (!existsSync(entry)) throw new IcWsError(ErrorCode.AzleBuildFailed, `canister ${canister.name}: its main file ${canister.main} does not exist`);
  const packageDir = nearestPackageDir(dirname(entry));
  const built = await buildAzleCanister({
    dfxJsonDir: projectDir,
    name: canister.name,
    extraInputs: [join(packageDir, 'src'), join(packageDir, 'tsconfig.json'), join(packageDir, 'package.json'), ...compiledInDirs(packageDir)],
    ...(outDir === undefined ? {} : { outDir }),
  });
  return { name: canister.name, ...built };
}

function nearestPackageDir(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return from;
  }
}

/** The `dist` folders of the packages compiled into the canister, as resolved from its package. */
function compiledInDirs(packageDir: string): string[] {
  const require = createRequire(join(packageDir, 'package.json'));
  const dirs: string[] = [];
  for (const name of COMPILED_IN) {
    let manifest: string;
    try {
      manifest = require.resolve(`${name}/package.json`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') continue; // not a dependency: nothing of it is compiled in
      throw error;
    }
    dirs.push(join(dirname(realpathSync(manifest)), 'dist'));
  }
  return dirs;
}

/** Options of {@link buildCanisters}. */
export interface BuildCanistersOptions {
  /** The folder holding dfx.json. @default process.cwd() */
  projectDir?: string;
  /** Which canisters, in this order. @default every azle canister of dfx.json */
  canisters?: string[];
}

/**
 * Builds a project's Azle canisters as `ic-ws-devnet build` and `ic-ws-devnet dev` do, with the same cache,
 * so a test and the dev command never rebuild each other's wasm.
 *
 * @example
 * ```ts
 * const [chat] = await buildCanisters({ projectDir: fileURLToPath(new URL('..', import.meta.url)), canisters: ['chat'] });
 * const canisterId = await devnet.install({ wasm: await readFile(chat.wasmPath) });
 * ```
 */
export async function buildCanisters(options: BuildCanistersOptions = {}): Promise<BuiltProjectCanister[]> {
  const projectDir = resolve(options.projectDir ?? process.cwd());
  const built: BuiltProjectCanister[] = [];
  for (const canister of await projectCanisters(projectDir, options.canisters)) built.push(await buildProjectCanister(projectDir, canister));
  return built;
}
