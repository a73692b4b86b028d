/**
 * The five packages as users get them: built with tsup (through turbo, so unchanged packages come from its
 * cache), packed with `pnpm pack` (which turns `workspace:*` into versions), and installed with npm from the
 * tarballs into an empty folder, next to the third-party packages an app adds (azle without its install
 * script). npm fetches third-party dependencies from the registry.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** The repository root. */
export const repoRoot = join(import.meta.dirname, '..', '..', '..');

/** Our libraries, by folder under packages/ and by name. */
export const PACKAGES = [
  { dir: 'protocol', name: 'ic-ws-protocol' },
  { dir: 'client', name: 'ic-ws-client' },
  { dir: 'gateway', name: 'ic-ws-gateway' },
  { dir: 'canister', name: 'ic-ws-canister' },
  { dir: 'devnet', name: 'ic-ws-devnet' },
] as const;

/** Every published package: the libraries and the scaffolder. */
export const PUBLISHED = [...PACKAGES, { dir: 'create-ic-ws', name: 'create-ic-ws' }] as const;

/** What an app installs besides our packages: their peers, an identity, `ws` for Node, azle and tsc for the canister. */
export const THIRD_PARTY = [
  '@dfinity/agent@3.4.3',
  '@dfinity/candid@3.4.3',
  '@dfinity/principal@3.4.3',
  '@dfinity/identity@3.4.3',
  'ws@8.18.3',
  'azle@0.33.0',
  // To type-check the canister as its README says (azle ships .ts sources, which need Node's types).
  'typescript@5.9.3',
  '@types/node@20.19.43',
];

/** A folder with the packed packages installed. */
export interface PackedApp {
  /** Temporary folder holding the tarballs and `app`; remove it when done. */
  work: string;
  /** The app folder: package.json, node_modules and the fixtures. */
  app: string;
  /** Tarball path by package name. */
  tarballs: Record<string, string>;
}

/** Runs a command; its output comes back, and a failure carries stdout and stderr in its message. */
export async function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }) {
  try {
    return await execFileAsync(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      timeout: options.timeoutMs ?? 300_000,
      maxBuffer: 32 * 1024 * 1024,
    });
  } catch (error) {
    const failed = error as Error & { stdout?: string; stderr?: string };
    failed.message = `${command} ${args.join(' ')} failed: ${failed.message}\n${failed.stdout ?? ''}\n${failed.stderr ?? ''}`;
    throw failed;
  }
}

/** Installs the packed packages (from the tarballs the global setup made) into a new app folder, then copies the fixtures into it. */
export async function preparePackedApp(tarballs: Record<string, string>): Promise<PackedApp> {
  const work = await mkdtemp(join(tmpdir(), 'ic-ws-packaging-'));
  const app = join(work, 'app');
  await mkdir(app);
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'packaging-app', private: true, type: 'module' }, null, 2));
  const libraries = PACKAGES.map(({ name }) => tarballs[name]!);
  // --ignore-scripts: azle's install script must never run (it shells out to dfx and writes into /).
  await run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', ...libraries, ...THIRD_PARTY], {
    cwd: app,
    timeoutMs: 600_000,
  });
  await cp(join(import.meta.dirname, '..', 'fixtures'), app, { recursive: true });
  return { work, app, tarballs };
}
