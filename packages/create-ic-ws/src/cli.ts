/**
 * `npm create ic-ws@latest my-app -- --template chat`: parses, asks what is missing (only on a terminal),
 * writes the project, and prints the next two commands.
 */
import { readFileSync } from 'node:fs';
import { basename, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { fileURLToPath } from 'node:url';
import { HELP, parseCreateCli } from './cli-options';
import { CreateIcWsError } from './create-error';
import { projectNameFrom } from './project-name';
import { findTemplate, scaffold } from './scaffold';
import { DEFAULT_TEMPLATE, TEMPLATES } from './templates';

const packageRoot = new URL('..', import.meta.url);
const version = (JSON.parse(readFileSync(new URL('package.json', packageRoot), 'utf8')) as { version: string }).version;

async function ask(question: string, fallback: string): Promise<string> {
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return (await prompt.question(`${question} (${fallback}) `)).trim() || fallback;
  } finally {
    prompt.close();
  }
}

async function main(): Promise<void> {
  const request = parseCreateCli(process.argv.slice(2));
  if (request.kind === 'help') return void process.stdout.write(HELP);
  if (request.kind === 'version') return void process.stdout.write(`${version}\n`);
  const interactive = process.stdin.isTTY === true && process.stdout.isTTY === true;
  let { folder, template } = request;
  if (folder === undefined) {
    if (!interactive) throw new CreateIcWsError('INVALID_OPTIONS', 'give the project folder: npm create ic-ws@latest my-app');
    folder = await ask('Project folder:', 'my-ic-ws-app');
  }
  if (template === undefined && interactive && request.folder === undefined) {
    process.stdout.write(TEMPLATES.map((t, i) => `  ${i + 1}. ${t.name.padEnd(10)} ${t.description}`).join('\n') + '\n');
    const answer = await ask('Template (name or number):', DEFAULT_TEMPLATE);
    template = TEMPLATES[Number(answer) - 1]?.name ?? answer;
  }
  const chosen = findTemplate(template ?? DEFAULT_TEMPLATE);
  const targetDir = resolve(folder);
  const projectName = projectNameFrom(basename(targetDir));
  process.stdout.write(`Writing the ${chosen.name} template (ic-ws ${version}) into ${targetDir}\n`);
  const files = await scaffold({
    targetDir,
    template: chosen.name,
    projectName,
    version,
    templatesDir: fileURLToPath(new URL('templates', packageRoot)),
    overwrite: request.overwrite,
  });
  const where = relative(process.cwd(), targetDir) || '.';
  process.stdout.write(
    [
      `${files.length} files written. Next:`,
      '',
      `  cd ${where.includes(' ') ? JSON.stringify(where) : where} && npm install`,
      '  npm run dev',
      '',
      `Then see README.md (npm test, npm run build, npm run deploy).`,
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  const text = error instanceof CreateIcWsError ? `${error.message} [${error.code}]` : error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`create-ic-ws: ${text}\n`);
  process.exit(1);
});
