/**
 * The TypeScript blocks of the repository's Markdown: every ```ts / ```typescript fence of README.md,
 * packages/*\/README.md, examples/*\/README.md and docs/*.md. A block that is deliberately partial has
 * `<!-- readme-check: skip (why) -->` on the line right before its fence, and is reported as skipped.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** One fenced TypeScript block. */
export interface CodeBlock {
  /** The Markdown file, relative to the repository root. */
  file: string;
  /** 1-based line of the block's first code line. */
  line: number;
  code: string;
  /** The reason given by a skip marker, or `null` when the block is checked. */
  skipReason: string | null;
}

const FENCE = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/;
const TYPESCRIPT = new Set(['ts', 'typescript', 'tsx', 'mts']);
const SKIP = /^<!--\s*readme-check:\s*skip\s*\((.+)\)\s*-->\s*$/;

/** The Markdown files whose TypeScript must compile, relative to `root`. */
export function markdownFiles(root: string): string[] {
  const files = ['README.md'];
  for (const dir of ['packages', 'examples']) {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      if (entry.isDirectory() && existsSync(join(root, dir, entry.name, 'README.md'))) files.push(`${dir}/${entry.name}/README.md`);
    }
  }
  for (const entry of readdirSync(join(root, 'docs'))) if (entry.endsWith('.md')) files.push(`docs/${entry}`);
  return files.sort();
}

/** The TypeScript blocks of one Markdown text. A fence left open is an error, not a silently dropped block. */
export function extractCodeBlocks(file: string, text: string): CodeBlock[] {
  const lines = text.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    if (open === null) continue;
    const [, indent, fence, language] = open;
    const close = new RegExp(`^${indent}${fence![0]}{${fence!.length},}\\s*$`);
    let end = i + 1;
    while (end < lines.length && !close.test(lines[end]!)) end++;
    if (end === lines.length) throw new Error(`${file}:${i + 1}: code fence never closed`);
    if (TYPESCRIPT.has(language!.toLowerCase())) {
      const marker = SKIP.exec((lines[i - 1] ?? '').trim());
      blocks.push({
        file,
        line: i + 2,
        code: lines.slice(i + 1, end).map((l) => l.slice(indent!.length)).join('\n'),
        skipReason: marker === null ? null : marker[1]!,
      });
    }
    i = end;
  }
  return blocks;
}

/** Every TypeScript block of the repository's Markdown. */
export function repositoryCodeBlocks(root: string): CodeBlock[] {
  return markdownFiles(root).flatMap((file) => extractCodeBlocks(relative(root, join(root, file)), readFileSync(join(root, file), 'utf8')));
}

const INSTALL = /^\s*(?:npm\s+(?:install|i|add)|pnpm\s+add|yarn\s+add)\s+(.*)$/;
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The package name of a specifier or an install argument (`@scope/name@1.2` and `name/sub` give the name). */
export function packageName(spec: string): string {
  const scoped = spec.startsWith('@');
  const parts = (scoped ? spec.slice(1) : spec).split('/');
  const name = scoped ? `@${parts[0]}/${(parts[1] ?? '').split('@')[0]}` : (parts[0] ?? '').split('@')[0]!;
  return name;
}

/** Packages named by the install commands (`npm install`, `pnpm add`, `yarn add`) of the Markdown's shell blocks. */
export function installedPackages(text: string): Set<string> {
  const names = new Set<string>();
  let inShell = false;
  for (const line of text.split('\n')) {
    const fence = FENCE.exec(line);
    if (fence !== null) {
      inShell = !inShell && ['sh', 'bash', 'shell', 'console'].includes(fence[3]!.toLowerCase());
      continue;
    }
    if (!inShell) continue;
    const install = INSTALL.exec(line.replace(/#.*$/, ''));
    if (install === null) continue;
    for (const token of install[1]!.split(/\s+/)) if (token !== '' && !token.startsWith('-')) names.add(packageName(token));
  }
  return names;
}

/** Bare packages a block imports (Node built-ins and relative paths left out). */
export function importedPackages(code: string): Set<string> {
  const names = new Set<string>();
  for (const match of code.matchAll(IMPORT)) {
    const specifier = match[1] ?? match[2] ?? match[3]!;
    if (specifier.startsWith('.') || specifier.startsWith('node:')) continue;
    names.add(packageName(specifier));
  }
  return names;
}
