/**
 * The templates `create-ic-ws` offers. They are the repository's examples/ folders, copied into the
 * package when it is built (scripts/copy-templates.mjs): one source, used by the monorepo and by users.
 */

/** One template. */
export interface Template {
  name: string;
  /** One line for the menu and `--help`. */
  description: string;
  /** Its folder under examples/ (and under the package's templates/). */
  dir: string;
}

export const TEMPLATES: readonly Template[] = [
  { name: 'chat', dir: 'chat', description: 'a chat room: Azle canister with stable-memory history, browser frontend (Vite)' },
  { name: 'ping-pong', dir: 'ping-pong', description: 'a canister answering pings, and a Node client measuring round trips' },
  { name: 'minimal', dir: 'minimal', description: 'the smallest: an echo canister and a Node client' },
];

/** The template used when none is asked for. */
export const DEFAULT_TEMPLATE = 'chat';

/**
 * Files npm would drop or rename in a published package are stored under another name and written back:
 * `npm pack` never includes `.npmrc`, and renames `.gitignore`.
 */
export const STORED_NAMES: Readonly<Record<string, string>> = { _gitignore: '.gitignore', _npmrc: '.npmrc' };

/** Never copied from a template folder: what installs, builds and runs leave behind. */
export const SKIPPED = new Set(['node_modules', 'dist', '.azle', '.dfx', '.ic-ws', '.turbo', 'test-output', 'coverage']);
