import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scaffold } from './scaffold';
import { TEMPLATES } from './templates';

// The templates' one source: the repository's examples (the build copies them into the package).
const examplesDir = join(import.meta.dirname, '..', '..', '..', 'examples');
let work: string;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'create-ic-ws-'));
});

afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('scaffold', () => {
  it.each(TEMPLATES.map((t) => t.name))('%s: a copy in which only the name and the ic-ws versions change', async (name) => {
    const targetDir = join(work, 'my-app');
    const files = await scaffold({ targetDir, template: name, projectName: 'my-app', version: '9.8.7', templatesDir: examplesDir });
    expect(files).toEqual(expect.arrayContaining(['package.json', 'dfx.json', 'tsconfig.json', 'README.md', '.npmrc', '.gitignore']));
    expect(files.some((file) => file.startsWith('node_modules/') || file.startsWith('.azle/'))).toBe(false);
    const manifest = JSON.parse(await readFile(join(targetDir, 'package.json'), 'utf8')) as Record<string, Record<string, string> | string>;
    const original = JSON.parse(await readFile(join(examplesDir, name, 'package.json'), 'utf8')) as Record<string, Record<string, string> | string>;
    expect(manifest.name).toBe('my-app');
    for (const field of ['dependencies', 'devDependencies'] as const) {
      for (const [dependency, range] of Object.entries(original[field] as Record<string, string>)) {
        expect((manifest[field] as Record<string, string>)[dependency], dependency).toBe(range.startsWith('workspace:') ? '9.8.7' : range);
      }
    }
    expect({ ...manifest, name: original.name, dependencies: original.dependencies, devDependencies: original.devDependencies }).toEqual(original);
    expect(await readFile(join(targetDir, 'dfx.json'), 'utf8')).toBe(await readFile(join(examplesDir, name, 'dfx.json'), 'utf8'));
    expect(await readFile(join(targetDir, '.npmrc'), 'utf8')).toContain('ignore-scripts=true');
  });

  it('writes _gitignore and _npmrc (how the package stores them) back under their names', async () => {
    const templatesDir = join(work, 'templates');
    const source = join(templatesDir, 'minimal');
    await scaffold({ targetDir: source, template: 'minimal', projectName: 'x', version: '1.0.0', templatesDir: examplesDir });
    const { rename } = await import('node:fs/promises');
    await rename(join(source, '.npmrc'), join(source, '_npmrc'));
    await rename(join(source, '.gitignore'), join(source, '_gitignore'));
    const files = await scaffold({ targetDir: join(work, 'app'), template: 'minimal', projectName: 'app', version: '1.0.0', templatesDir });
    expect(files).toContain('.npmrc');
    expect(files).toContain('.gitignore');
    expect(files).not.toContain('_npmrc');
  });

  it('refuses a folder that is not empty unless told to overwrite', async () => {
    const targetDir = join(work, 'taken');
    await scaffold({ targetDir, template: 'minimal', projectName: 'taken', version: '1.0.0', templatesDir: examplesDir });
    await writeFile(join(targetDir, 'mine.txt'), 'keep me');
    await expect(scaffold({ targetDir, template: 'minimal', projectName: 'taken', version: '1.0.0', templatesDir: examplesDir })).rejects.toMatchObject({
      code: 'TARGET_NOT_EMPTY',
      message: expect.stringContaining('pass --overwrite'),
    });
    await scaffold({ targetDir, template: 'minimal', projectName: 'taken', version: '1.0.0', templatesDir: examplesDir, overwrite: true });
    expect(existsSync(join(targetDir, 'mine.txt'))).toBe(true);
  });

  it('names the templates when asked for one that does not exist', async () => {
    await expect(scaffold({ targetDir: join(work, 'x'), template: 'todo', projectName: 'x', version: '1.0.0', templatesDir: examplesDir })).rejects.toMatchObject({
      code: 'UNKNOWN_TEMPLATE',
      message: 'no template "todo"; choose one of: chat, ping-pong, minimal',
    });
    expect(existsSync(join(work, 'x'))).toBe(false);
  });
});
