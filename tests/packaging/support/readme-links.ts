/**
 * What a README shows on the registry's page: a link that is not absolute resolves against nothing there,
 * and a path of the repository (`tests/...`, `bench/...`) names a file the package does not ship.
 */

/** Problems of `readme`, given the files of the tarball (paths relative to the package root). */
export function readmeLinkProblems(readme: string, packedFiles: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  const prose = readme.replace(/^(\s*)(`{3,}|~{3,})[^\n]*\n[\s\S]*?\n\1\2[^\n]*$/gm, '');
  const targets = [
    ...[...prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!),
    ...[...prose.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/gm)].map((m) => m[1]!),
  ];
  for (const target of targets) {
    if (/^(https?:|mailto:)/.test(target) || target.startsWith('#')) continue;
    const path = target.split('#')[0]!.replace(/^\.\//, '');
    if (!packedFiles.has(path)) problems.push(`link to ${target}: not absolute, and not a file of the package`);
  }
  // Code spans naming a repository path, unless they are the text of a link (whose target was checked above).
  for (const match of prose.matchAll(/(\[)?`((?:\.\.\/|tests\/|bench\/|src\/|scripts\/|fixtures\/|docs\/)[^`]*)`/g)) {
    if (match[1] !== undefined) continue;
    const path = match[2]!.replace(/\/$/, '');
    const shipped = packedFiles.has(path) || [...packedFiles].some((file) => file.startsWith(`${path}/`));
    if (!shipped) problems.push(`mentions \`${match[2]}\`, which the package does not ship (link it absolutely or drop it)`);
  }
  return problems;
}
