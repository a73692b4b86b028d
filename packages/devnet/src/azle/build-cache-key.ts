/**
 * The cache key of an Azle build: a sha256 over everything that changes the wasm. The wasm embeds the
 * absolute path of the bundle, so the project folder is part of the key.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { sha256 } from '@noble/hashes/sha256';
import { bytesToHex } from '@noble/hashes/utils';

/** Inputs of `buildCacheKey`. */
export interface BuildCacheInputs {
  dfxJsonDir: string;
  name: string;
  /** The canister's dfx.json entry. */
  entry: unknown;
  azleVersion: string;
  /** Further files or folders whose contents the build depends on. */
  extraInputs?: readonly string[];
}

const LOCKFILES = ['pnpm-lock.yaml', 'package-lock.json', 'yarn.lock', 'bun.lockb'];
const SKIPPED_DIRS = new Set(['node_modules', '.azle', '.dfx', '.git']);
const encoder = new TextEncoder();

/** Hex sha256 of the build's inputs. */
export function buildCacheKey(inputs: BuildCacheInputs): string {
  const hash = sha256.create();
  const field = (label: string, value: Uint8Array | string): void => {
    const bytes = typeof value === 'string' ? encoder.encode(value) : value;
    hash.update(encoder.encode(`${label}\0${bytes.length}\0`));
    hash.update(bytes);
  };
  const root = resolve(inputs.dfxJsonDir);
  field('dir', root);
  field('name', inputs.name);
  field('entry', JSON.stringify(inputs.entry));
  field('azle', inputs.azleVersion);
  const main = (inputs.entry as { main?: unknown }).main;
  const sources = [typeof main === 'string' ? dirname(join(root, main)) : root, ...(inputs.extraInputs ?? [])];
  for (const source of sources) {
    for (const file of listFiles(resolve(root, source))) field(`file:${relative(root, file)}`, readFileSync(file));
  }
  const lockfile = findLockfile(root);
  if (lockfile !== undefined) field('lockfile', readFileSync(lockfile));
  return bytesToHex(hash.digest());
}

/** Files under `path` (or `path` itself), sorted, skipping dependency and build folders. */
function listFiles(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  const files: string[] = [];
  for (const entry of readdirSync(path, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) files.push(...listFiles(join(path, entry.name)));
    } else if (entry.isFile()) files.push(join(path, entry.name));
  }
  return files;
}

/** The nearest lockfile at or above `dir`. */
function findLockfile(dir: string): string | undefined {
  for (let current = dir; ; current = dirname(current)) {
    const found = LOCKFILES.map((name) => join(current, name)).find((file) => existsSync(file));
    if (found !== undefined) return found;
    if (dirname(current) === current) return undefined;
  }
}
