/**
 * Writes a project from a template: a copy of the template's folder, in which only two things change,
 * in package.json: the name, and the `workspace:` ranges of the ic-ws packages, which become this release's
 * exact version (the template's packages are released together with create-ic-ws).
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { CreateIcWsError } from './create-error';
import { SKIPPED, STORED_NAMES, TEMPLATES, type Template } from './templates';

/** Options of {@link scaffold}. */
export interface ScaffoldOptions {
  /** The new project's folder; created if missing. */
  targetDir: string;
  /** A template name (`chat`, `ping-pong`, `minimal`). */
  template: string;
  /** The package name written into package.json. */
  projectName: string;
  /** The version the ic-ws packages are pinned to. */
  version: string;
  /** Where the templates are (the package's `templates/`, or the repository's `examples/`). */
  templatesDir: string;
  /** Write into a folder that is not empty. @default false */
  overwrite?: boolean;
}

const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'] as const;

/** Finds a template by name. @throws CreateIcWsError `UNKNOWN_TEMPLATE` */
export function findTemplate(name: string): Template {
  const template = TEMPLATES.find((candidate) => candidate.name === name);
  if (template === undefined) {
    throw new CreateIcWsError('UNKNOWN_TEMPLATE', `no template "${name}"; choose one of: ${TEMPLATES.map((t) => t.name).join(', ')}`);
  }
  return template;
}

/** Writes the project; resolves with the files written, relative to `targetDir`. */
export async function scaffold(options: ScaffoldOptions): Promise<string[]> {
  const template = findTemplate(options.template);
  const source = join(options.templatesDir, template.dir);
  if (!existsSync(join(source, 'package.json'))) throw new CreateIcWsError('TEMPLATE_MISSING', `the ${template.name} template is missing from ${options.templatesDir}`);
  if (existsSync(options.targetDir) && (await readdir(options.targetDir)).length > 0 && options.overwrite !== true) {
    throw new CreateIcWsError('TARGET_NOT_EMPTY', `${options.targetDir} is not empty; choose another folder, or pass --overwrite`);
  }
  await mkdir(options.targetDir, { recursive: true });
  await cp(source, options.targetDir, { recursive: true, force: true, filter: (path) => path === source || !SKIPPED.has(basename(path)) });
  const files = await restoreStoredNames(options.targetDir, '');
  await rewritePackageJson(join(options.targetDir, 'package.json'), options.projectName, options.version);
  return files.sort();
}

/** Renames `_gitignore` and `_npmrc` back, and lists every file. */
async function restoreStoredNames(root: string, dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(join(root, dir), { withFileTypes: true })) {
    const relativePath = dir === '' ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      files.push(...(await restoreStoredNames(root, relativePath)));
      continue;
    }
    const real = STORED_NAMES[entry.name];
    if (real === undefined) {
      files.push(relativePath);
      continue;
    }
    const target = dir === '' ? real : `${dir}/${real}`;
    await rename(join(root, relativePath), join(root, target));
    files.push(target);
  }
  return files;
}

async function rewritePackageJson(path: string, name: string, version: string): Promise<void> {
  const manifest = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  manifest.name = name;
  for (const field of DEPENDENCY_FIELDS) {
    const ranges = manifest[field] as Record<string, string> | undefined;
    if (ranges === undefined) continue;
    for (const [dependency, range] of Object.entries(ranges)) if (range.startsWith('workspace:')) ranges[dependency] = version;
  }
  await writeFile(path, `${JSON.stringify(manifest, null, 2)}\n`);
}
