/**
 * `.ic-ws/dev.json`: where a running `ic-ws-devnet dev` serves what, so that clients (a Node script, a
 * test, another terminal) connect without a hand-written config. Written when everything is up, removed
 * when `dev` stops.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { DevConfig } from './dev-options';

/** The content of `dev.json`. */
export interface DevSessionInfo extends DevConfig {
  /** The frontend's URL, or `null` without a frontend. */
  frontendUrl: string | null;
  /** The gateway's admin server, or `null` when off. */
  adminUrl: string | null;
  gatewayPrincipal: string;
  /** The devnet's root key, DER, hex. */
  rootKeyHex: string;
}

/** The file name inside the state folder. */
export const DEV_SESSION_FILE = 'dev.json';

/** Writes `info` to `<stateDir>/dev.json` (write, then rename: a reader never sees half a file). */
export async function writeDevSession(stateDir: string, info: DevSessionInfo): Promise<string> {
  await mkdir(stateDir, { recursive: true });
  const file = join(stateDir, DEV_SESSION_FILE);
  await writeFile(`${file}.tmp`, `${JSON.stringify(info, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
  return file;
}

/** Removes the file (dev stopped). */
export async function removeDevSession(stateDir: string): Promise<void> {
  await rm(join(stateDir, DEV_SESSION_FILE), { force: true });
}

/**
 * The running dev session nearest to `from`: `.ic-ws/dev.json` in `from` or the closest folder above it,
 * or `undefined` when there is none.
 */
export function findDevSession(from: string): { file: string; info: DevSessionInfo } | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const file = join(dir, '.ic-ws', DEV_SESSION_FILE);
    if (existsSync(file)) return { file, info: JSON.parse(readFileSync(file, 'utf8')) as DevSessionInfo };
    if (dirname(dir) === dir) return undefined;
  }
}
