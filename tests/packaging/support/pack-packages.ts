/**
 * Every published package as npm would get it: built with tsup (through turbo, so unchanged packages come
 * from its cache) and packed with `pnpm pack` (which turns `workspace:*` into versions). Done once per test
 * run, by the global setup; the tests install from these tarballs.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PUBLISHED, repoRoot, run } from './packed-app';

/** Builds and packs every published package into `dir`; resolves with tarball paths by package name. */
export async function packPublished(dir: string): Promise<Record<string, string>> {
  const filters = PUBLISHED.map((p) => `--filter=${p.name}`);
  await run('pnpm', ['exec', 'turbo', 'run', 'build', ...filters, '--output-logs=errors-only'], { cwd: repoRoot, timeoutMs: 600_000 });
  const tarballs: Record<string, string> = {};
  for (const { dir: packageDir, name } of PUBLISHED) {
    const before = new Set(await readdir(dir));
    await run('pnpm', ['pack', '--pack-destination', dir], { cwd: join(repoRoot, 'packages', packageDir) });
    const tarball = (await readdir(dir)).find((file) => file.endsWith('.tgz') && !before.has(file));
    if (tarball === undefined) throw new Error(`pnpm pack produced no tarball for ${name}`);
    tarballs[name] = join(dir, tarball);
  }
  return tarballs;
}
