/**
 * The command line of create-ic-ws: `npm create ic-ws@latest [folder] -- [--template <name>] [--overwrite]`.
 */
import { parseArgs } from 'node:util';
import { CreateIcWsError } from './create-error';
import { TEMPLATES, DEFAULT_TEMPLATE } from './templates';

/** What the command line asks for; `folder`/`template` are `undefined` when not given (asked for on a terminal). */
export type CreateRequest =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'create'; folder: string | undefined; template: string | undefined; overwrite: boolean };

export const HELP = `Usage: npm create ic-ws@latest [folder] -- [options]
       npx create-ic-ws [folder] [options]

Writes a stand-alone ic-ws dapp into [folder] from a template. It depends only on published packages, pinned
to this release; install it with plain npm. Given a folder (and a template) it asks nothing.

Templates (--template, -t):
${TEMPLATES.map((t) => `  ${t.name.padEnd(10)} ${t.description}${t.name === DEFAULT_TEMPLATE ? ' (default)' : ''}`).join('\n')}

Options:
  -t, --template <name>   the template
  --overwrite             write into a folder that is not empty
  -v, --version           print the version
  -h, --help              show this help
`;

/** Parses the arguments. @throws CreateIcWsError `INVALID_OPTIONS` */
export function parseCreateCli(argv: readonly string[]): CreateRequest {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv.filter((arg) => arg !== '--'),
      allowPositionals: true,
      strict: true,
      options: {
        template: { type: 'string', short: 't' },
        overwrite: { type: 'boolean' },
        version: { type: 'boolean', short: 'v' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new CreateIcWsError('INVALID_OPTIONS', `${error instanceof Error ? error.message : String(error)} (see --help)`, { cause: error });
  }
  if (parsed.values.help) return { kind: 'help' };
  if (parsed.values.version) return { kind: 'version' };
  if (parsed.positionals.length > 1) throw new CreateIcWsError('INVALID_OPTIONS', `one project folder, please (got ${parsed.positionals.join(', ')})`);
  return { kind: 'create', folder: parsed.positionals[0], template: parsed.values.template, overwrite: parsed.values.overwrite === true };
}
