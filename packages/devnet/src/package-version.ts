import { readFileSync } from 'node:fs';

/**
 * The version of the installed ic-ws-devnet, for `--version`. Read from its package.json at run time, which
 * sits one level above both `src/` (this file) and `dist/` (the bundle it ends up in): keep this file at the
 * top of `src/`.
 */
export function devnetVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}
