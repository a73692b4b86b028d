/**
 * What a scaffolded project must not contain: the `workspace:` protocol (npm cannot install it), or a
 * relative path that leaves the project's folder (a file of the monorepo the user does not have).
 */
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';

const SKIPPED = new Set(['node_modules', '.azle', '.ic-ws', 'dist', '.dfx']);
const RELATIVE_PATH = /(?:["'`(]|\s)(\.\.?\/[^"'`()\s]*)/g;

async function* files(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (SKIPPED.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else yield path;
  }
}

/** Every file of `projectDir` with a problem, as `file: what`. */
export async function projectProblems(projectDir: string): Promise<string[]> {
  const root = resolve(projectDir);
  const problems: string[] = [];
  for await (const file of files(root)) {
    const text = await readFile(file, 'utf8');
    const where = relative(root, file);
    if (text.includes('workspace:')) problems.push(`${where}: contains "workspace:"`);
    for (const match of text.matchAll(RELATIVE_PATH)) {
      const target = resolve(dirname(file), match[1]!);
      if (target !== root && !target.startsWith(root + sep)) problems.push(`${where}: ${match[1]} leaves the project`);
    }
  }
  return problems;
}
