/**
 * Type-checks code blocks the way a user's editor would see them: each block is its own module (so
 * top-level await works and names do not clash), compiled with `strict` against the workspace packages'
 * sources, by one `tsc` run over all of them.
 */
import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import type { CodeBlock } from './code-blocks';

const execFileAsync = promisify(execFile);

/** A compiler error, placed at its line in the Markdown file. */
export interface BlockDiagnostic {
  block: CodeBlock;
  /** `file.md:line:column`. */
  where: string;
  message: string;
}

/** The result of one `tsc` run over blocks. */
export interface BlockCheck {
  diagnostics: BlockDiagnostic[];
  /** Errors tsc reported outside any block (in a dependency's sources, or in the configuration). */
  otherErrors: string[];
}

/** Module name to source entry, as a user of the published packages imports them. */
function workspacePaths(root: string, outDir: string): Record<string, string[]> {
  const source = (path: string) => [relative(outDir, join(root, path))];
  return {
    'ic-ws-protocol': source('packages/protocol/src/index.ts'),
    'ic-ws-client': source('packages/client/src/index.ts'),
    'ic-ws-gateway': source('packages/gateway/src/index.ts'),
    'ic-ws-canister': source('packages/canister/src/index.ts'),
    'ic-ws-canister/azle': source('packages/canister/src/azle/index.ts'),
    'ic-ws-canister/testing': source('packages/canister/src/testing/index.ts'),
    'ic-ws-devnet': source('packages/devnet/src/index.ts'),
  };
}

function blockFileName(block: CodeBlock): string {
  return `${block.file.replace(/[^A-Za-z0-9]+/g, '_')}_L${block.line}.ts`;
}

/**
 * Writes `blocks` into `outDir` (emptied first) with a strict tsconfig, runs tsc once, and maps each error
 * back to its Markdown line. `outDir` must sit where the blocks' imports resolve (a package whose
 * node_modules has what the examples import).
 */
export async function typecheckBlocks(root: string, outDir: string, blocks: readonly CodeBlock[]): Promise<BlockCheck> {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const byFile = new Map<string, CodeBlock>();
  for (const block of blocks) {
    const name = blockFileName(block);
    byFile.set(name, block);
    // `export {}` makes every block a module, whatever it imports.
    await writeFile(join(outDir, name), `${block.code}\nexport {};\n`);
  }
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      lib: ['ES2022', 'DOM'],
      module: 'ESNext',
      moduleResolution: 'Bundler',
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      esModuleInterop: true,
      types: ['node'],
      paths: workspacePaths(root, outDir),
    },
    files: [...byFile.keys()],
  };
  await writeFile(join(outDir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
  const output = await execFileAsync(process.execPath, [tsc, '-p', join(outDir, 'tsconfig.json'), '--pretty', 'false'], {
    cwd: outDir,
    maxBuffer: 16 * 1024 * 1024,
  }).then(
    ({ stdout }) => stdout,
    (error: { stdout?: string; stderr?: string }) => `${error.stdout ?? ''}${error.stderr ?? ''}`,
  );
  const diagnostics: BlockDiagnostic[] = [];
  const otherErrors: string[] = [];
  for (const line of output.split('\n')) {
    if (!/error TS\d+/.test(line)) continue;
    const match = /^(.+?)\((\d+),(\d+)\): (error TS\d+: .*)$/.exec(line);
    const block = match ? byFile.get(match[1]!.split('/').at(-1)!) : undefined;
    if (match === null || block === undefined) {
      otherErrors.push(line);
      continue;
    }
    diagnostics.push({ block, where: `${block.file}:${block.line + Number(match[2]) - 1}:${match[3]}`, message: match[4]! });
  }
  return { diagnostics, otherErrors };
}
