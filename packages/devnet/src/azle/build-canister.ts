/**
 * Builds an Azle canister offline with the installed azle package (no dfx), caching the wasm by a hash of
 * its inputs so unchanged canisters are not rebuilt (a build takes 4-10 s and ~400 MB).
 *
 * @example
 * ```ts
 * const { wasmPath } = await buildAzleCanister({ dfxJsonDir: 'examples/chat', name: 'chat' });
 * const id = await subnet.install({ wasm: await readFile(wasmPath), arg });
 * ```
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ErrorCode, IcWsError } from 'ic-ws-protocol';
import { findAzlePackage } from './azle-package';
import { AZLE_RUNNER_SCRIPT } from './azle-runner-script';
import { buildCacheKey } from './build-cache-key';
import { withBuildLock } from './build-lock';

/** Options of `buildAzleCanister`. */
export interface BuildAzleCanisterOptions {
  /** Folder holding the project's dfx.json. */
  dfxJsonDir: string;
  /** Canister name in dfx.json. */
  name: string;
  /** Where to copy `<name>.wasm` and `<name>.did`. @default the cache folder's entries are returned */
  outDir?: string;
  /** Cache folder. @default `<dfxJsonDir>/.azle/ic-ws-cache` */
  cacheDir?: string;
  /** Files or folders outside the main file's folder that the canister imports (part of the cache key). @default [] */
  extraInputs?: string[];
}

/** Result of `buildAzleCanister`. */
export interface BuiltAzleCanister {
  wasmPath: string;
  didPath: string;
  /** True when the wasm came from the cache. */
  cached: boolean;
}

/** Builds (or fetches from the cache) the wasm of canister `name`. Throws `AZLE_BUILD_FAILED` with azle's output. */
export async function buildAzleCanister(options: BuildAzleCanisterOptions): Promise<BuiltAzleCanister> {
  const dfxJsonDir = resolve(options.dfxJsonDir);
  const entry = await readCanisterEntry(dfxJsonDir, options.name);
  const azle = findAzlePackage([dfxJsonDir, process.cwd()]);
  const cacheDir = resolve(options.cacheDir ?? join(dfxJsonDir, '.azle', 'ic-ws-cache'));
  const key = buildCacheKey({
    dfxJsonDir,
    name: options.name,
    entry,
    azleVersion: azle.version,
    ...(options.extraInputs === undefined ? {} : { extraInputs: options.extraInputs }),
  });
  const cachedWasm = join(cacheDir, `${options.name}-${key.slice(0, 16)}.wasm`);
  const cachedDid = join(cacheDir, `${options.name}-${key.slice(0, 16)}.did`);
  await mkdir(cacheDir, { recursive: true });

  const cached = await withBuildLock(join(cacheDir, `${options.name}.lock`), async () => {
    if (existsSync(cachedWasm) && existsSync(cachedDid)) return true;
    await runAzleBuild(dfxJsonDir, options.name, azle, cacheDir, cachedDid);
    await copyFile(join(dfxJsonDir, '.azle', options.name, `${options.name}.wasm`), cachedWasm);
    await pruneOlderBuilds(cacheDir, options.name, [cachedWasm, cachedDid]);
    return false;
  });

  if (options.outDir === undefined) return { wasmPath: cachedWasm, didPath: cachedDid, cached };
  const outDir = resolve(options.outDir);
  await mkdir(outDir, { recursive: true });
  const wasmPath = join(outDir, `${options.name}.wasm`);
  const didPath = join(outDir, `${options.name}.did`);
  await copyFile(cachedWasm, wasmPath);
  await copyFile(cachedDid, didPath);
  return { wasmPath, didPath, cached };
}

/** Removes the cached builds of `name` other than `keep`: each source change would otherwise leave 3.5 MB behind. */
async function pruneOlderBuilds(cacheDir: string, name: string, keep: readonly string[]): Promise<void> {
  const pattern = new RegExp(`^${name.replace(/[^A-Za-z0-9_]/g, '\\$&')}-[0-9a-f]{16}\\.(wasm|did)$`);
  const stale = (await readdir(cacheDir)).filter((file) => pattern.test(file) && !keep.includes(join(cacheDir, file)));
  await Promise.all(stale.map((file) => rm(join(cacheDir, file), { force: true })));
}

async function readCanisterEntry(dfxJsonDir: string, name: string): Promise<unknown> {
  let dfxJson: { canisters?: Record<string, unknown> };
  try {
    dfxJson = JSON.parse(await readFile(join(dfxJsonDir, 'dfx.json'), 'utf8')) as typeof dfxJson;
  } catch (error) {
    throw new IcWsError(ErrorCode.AzleBuildFailed, `cannot read ${join(dfxJsonDir, 'dfx.json')}: ${String(error)}`, {
      cause: error,
    });
  }
  const entry = dfxJson.canisters?.[name];
  if (typeof entry !== 'object' || entry === null || typeof (entry as { main?: unknown }).main !== 'string') {
    throw new IcWsError(ErrorCode.AzleBuildFailed, `dfx.json in ${dfxJsonDir} has no canister '${name}' with a "main" file`);
  }
  return entry;
}

async function runAzleBuild(
  dfxJsonDir: string,
  name: string,
  azle: ReturnType<typeof findAzlePackage>,
  cacheDir: string,
  didPath: string,
): Promise<void> {
  const runner = join(cacheDir, 'azle-runner.mjs');
  await writeFile(runner, AZLE_RUNNER_SCRIPT);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AZLE_DFX_ROOT: dfxJsonDir,
    CANISTER_CANDID_PATH: didPath,
    IC_WS_AZLE_DIR: azle.dir,
    IC_WS_AZLE_ARGS: JSON.stringify(['build', name]),
    // Never let anything the build touches run install scripts (azle's would shell out to dfx).
    npm_config_ignore_scripts: 'true',
  };
  const { code, output } = await run(process.execPath, [azle.tsxCli, runner], dfxJsonDir, env);
  if (code !== 0) {
    throw new IcWsError(ErrorCode.AzleBuildFailed, `azle build ${name} failed (exit code ${code}):\n${output.trim()}`);
  }
  if (!existsSync(join(dfxJsonDir, '.azle', name, `${name}.wasm`))) {
    throw new IcWsError(ErrorCode.AzleBuildFailed, `azle build ${name} produced no wasm:\n${output.trim()}`);
  }
}

function run(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', (error) =>
      reject(new IcWsError(ErrorCode.AzleBuildFailed, `cannot start azle: ${error.message}`, { cause: error })),
    );
    child.on('close', (code) => resolvePromise({ code, output: Buffer.concat(chunks).toString('utf8') }));
  });
}
