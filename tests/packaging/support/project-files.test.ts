import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectProblems } from './project-files';

const made: string[] = [];
afterAll(async () => Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true }))));

describe('projectProblems', () => {
  it('finds workspace: ranges and relative paths out of the project, and accepts paths that stay inside', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'project-files-'));
    made.push(dir);
    await mkdir(join(dir, 'src', 'frontend'), { recursive: true });
    await mkdir(join(dir, 'node_modules', 'x'), { recursive: true });
    await writeFile(join(dir, 'package.json'), '{"dependencies":{"ic-ws-client":"workspace:*"}}');
    await writeFile(join(dir, 'tsconfig.json'), '{"extends":"../../tsconfig.base.json"}');
    await writeFile(join(dir, 'src', 'frontend', 'main.ts'), "import { a } from '../shared/a';\nimport b from '../../b';\nimport c from '../../../c';");
    await writeFile(join(dir, 'README.md'), 'See [docs](./docs/x.md) and [root](../README.md).');
    await writeFile(join(dir, 'node_modules', 'x', 'index.js'), "require('../../../../anything'); // workspace:");
    expect((await projectProblems(dir)).sort()).toEqual([
      'README.md: ../README.md leaves the project',
      'package.json: contains "workspace:"',
      'src/frontend/main.ts: ../../../c leaves the project',
      'tsconfig.json: ../../tsconfig.base.json leaves the project',
    ]);
  });
});
