/**
 * Build step: copies the repository's examples/ (the templates' one source) into templates/, leaving out
 * what installs and builds leave behind, and storing the dotfiles `npm pack` would drop or rename (.npmrc,
 * .gitignore) under the names create-ic-ws writes back.
 */
import { cp, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { SKIPPED, STORED_NAMES, TEMPLATES } from '../src/templates';

const packageDir = join(import.meta.dirname, '..');
const examplesDir = join(packageDir, '..', '..', 'examples');
const outDir = join(packageDir, 'templates');
const storedAs = Object.fromEntries(Object.entries(STORED_NAMES).map(([stored, real]) => [real, stored]));

async function storeDotfiles(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await storeDotfiles(path);
    else if (storedAs[entry.name] !== undefined) await rename(path, join(dir, storedAs[entry.name]!));
  }
}

await rm(outDir, { recursive: true, force: true });
await mkdir(outDir, { recursive: true });
for (const template of TEMPLATES) {
  const target = join(outDir, template.dir);
  await cp(join(examplesDir, template.dir), target, { recursive: true, filter: (source) => !SKIPPED.has(basename(source)) });
  await storeDotfiles(target);
}
console.log(`create-ic-ws: ${TEMPLATES.length} templates copied from examples/ into templates/`);
