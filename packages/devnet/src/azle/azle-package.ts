/**
 * Locates the installed azle package: its real folder (pnpm links resolved), its version and the tsx CLI
 * azle itself depends on (azle's CLI is TypeScript run by tsx).
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ErrorCode, IcWsError } from 'ic-ws-protocol';

/** Where azle and its runner live. */
export interface AzlePackage {
  /** Real path of the azle package folder. */
  dir: string;
  version: string;
  /** Path of tsx's CLI entry (`dist/cli.mjs`). */
  tsxCli: string;
}

/** Finds azle as resolved from each of `searchFrom` (first match wins). */
export function findAzlePackage(searchFrom: readonly string[]): AzlePackage {
  for (const from of searchFrom) {
    let entry: string;
    try {
      entry = createRequire(join(from, 'noop.js')).resolve('azle');
    } catch {
      continue; // not resolvable from here: try the next folder
    }
    const dir = packageRoot(realpathSync(entry));
    const version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
    const tsxPackage = createRequire(join(dir, 'package.json')).resolve('tsx/package.json');
    return { dir, version, tsxCli: join(dirname(tsxPackage), 'dist', 'cli.mjs') };
  }
  throw new IcWsError(ErrorCode.AzleBuildFailed, `azle is not installed (searched from ${searchFrom.join(', ')})`);
}

function packageRoot(file: string): string {
  let dir = dirname(file);
  while (!existsSync(join(dir, 'package.json')) || !isAzle(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new IcWsError(ErrorCode.AzleBuildFailed, `no azle package.json above ${file}`);
    dir = parent;
  }
  return dir;
}

function isAzle(packageJson: string): boolean {
  return (JSON.parse(readFileSync(packageJson, 'utf8')) as { name?: string }).name === 'azle';
}
