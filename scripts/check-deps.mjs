#!/usr/bin/env node
// Lint: the dependency direction of shared/style.md, checked on every import in packages/*/src.
// - no package imports another package's src/ (or reaches outside its own folder by a relative path);
// - ic-ws-protocol imports none of our packages; the others import only ic-ws-protocol of ours;
// - browser/canister-neutral packages (protocol, client) import no Node built-in;
// - every bare import in shipped code is declared in that package's dependencies or peerDependencies.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative, resolve, sep } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const packagesDir = join(root, 'packages');
const ours = new Set(readdirSync(packagesDir).map((dir) => readJson(join(packagesDir, dir, 'package.json')).name));
const nodeBuiltins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
const neutralPackages = new Set(['ic-ws-protocol', 'ic-ws-client']);
const importPattern = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[^.\w])import\s*\(\s*['"]([^'"]+)['"]\s*\)|(?:^|[\s;])import\s*['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)/g;

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

function* sourceFiles(dir) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* sourceFiles(path);
    else if (/\.(ts|tsx|mts|cts|js|mjs)$/.test(entry) && !/\.test\.tsx?$/.test(entry)) yield path;
  }
}

function packageOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

const problems = [];
for (const dir of readdirSync(packagesDir)) {
  const pkgDir = join(packagesDir, dir);
  const pkg = readJson(join(pkgDir, 'package.json'));
  const declared = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})]);
  for (const file of sourceFiles(join(pkgDir, 'src'))) {
    const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|(^|[^:])\/\/.*$/gm, '$1');
    const where = relative(root, file);
    for (const match of text.matchAll(importPattern)) {
      const specifier = match[1] ?? match[2] ?? match[3] ?? match[4];
      if (specifier.startsWith('.')) {
        const target = resolve(file, '..', specifier);
        if (!target.startsWith(join(pkgDir, 'src') + sep) && target !== join(pkgDir, 'src')) {
          problems.push(`${where}: relative import '${specifier}' leaves ${pkg.name}/src`);
        }
        continue;
      }
      if (nodeBuiltins.has(specifier)) {
        if (neutralPackages.has(pkg.name)) problems.push(`${where}: ${pkg.name} must not import the Node built-in '${specifier}'`);
        continue;
      }
      const name = packageOf(specifier);
      if (ours.has(name)) {
        if (specifier !== name) problems.push(`${where}: deep import '${specifier}' (import '${name}' only)`);
        if (pkg.name === 'ic-ws-protocol') problems.push(`${where}: ic-ws-protocol must not depend on '${name}'`);
        else if (name !== 'ic-ws-protocol') problems.push(`${where}: ${pkg.name} must not depend on '${name}' (only ic-ws-protocol)`);
      }
      if (!declared.has(name)) problems.push(`${where}: '${name}' is imported but not in dependencies/peerDependencies of ${pkg.name}`);
    }
  }
}

if (problems.length > 0) {
  console.error(`dependency lint: ${problems.length} problem(s)\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  process.exit(1);
}
console.log(`dependency lint: ${ours.size} packages checked, dependency direction holds`);
