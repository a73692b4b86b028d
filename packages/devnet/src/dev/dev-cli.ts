/**
 * `ic-ws-devnet dev`: parses, calls {@link startDev}, prints the ready block, and stops everything on
 * SIGINT/SIGTERM with exit status 0 (a second signal, later than 1.5 s after the first, exits at once with
 * 1). Scripts should run it with `exec` (`"dev": "exec ic-ws-devnet dev"`): without it, npm's and pnpm's
 * shell dies of the Ctrl-C itself and they report the script as failed (pnpm's `ELIFECYCLE`).
 */
import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { IcWsError } from 'ic-ws-protocol';
import { parseDevCli, DEV_HELP } from './dev-cli-flags';
import { readyBlock } from './ready-block';
import { startDev, type DevSession } from './start-dev';

/** Signals this soon after the first are the same Ctrl-C, delivered twice. */
const REPEAT_WINDOW_MS = 1500;

function projectName(projectDir: string): string {
  try {
    const name = (JSON.parse(readFileSync(join(projectDir, 'package.json'), 'utf8')) as { name?: unknown }).name;
    if (typeof name === 'string' && name !== '') return name;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return 'your project';
}

/** Runs the dev command; resolves once started (the servers keep the process alive). */
export async function runDevCli(argv: readonly string[]): Promise<void> {
  const request = parseDevCli(argv, process.env);
  if (request.kind === 'help') {
    process.stdout.write(DEV_HELP);
    return;
  }
  const say = (line: string) => process.stderr.write(`ic-ws dev: ${line}\n`);
  let session: DevSession | undefined;
  let stopping = false;
  let stoppingSince = 0;
  const stop = (reason: string, exitCode: number) => {
    if (stopping) {
      // One Ctrl-C can arrive twice: from the terminal (to the whole process group) and forwarded by the
      // package manager that started us. Only a signal well after the first means "stop now".
      if (performance.now() - stoppingSince < REPEAT_WINDOW_MS) return;
      say(`${reason} again, exiting now`);
      process.exit(1);
    }
    stopping = true;
    stoppingSince = performance.now();
    say(`${reason}, stopping`);
    // Mid start-up: startDev returns shortly (or fails and cleans up), and the check after it stops the rest.
    if (session === undefined) return;
    session.close().then(
      () => process.exit(exitCode),
      (error: unknown) => {
        say(`error while stopping: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT', 0));
  process.on('SIGTERM', () => stop('SIGTERM', 0));

  const projectDir = resolve(request.options.projectDir ?? process.cwd());
  session = await startDev({ ...request.options, projectDir, onProgress: say });
  if (stopping) {
    await session.close();
    process.exit(0);
  }
  void session.gatewayExited.then((code) => {
    if (!stopping) stop(`the gateway exited unexpectedly (code ${code})`, 1);
  });
  const { cachedBuilds: _cached, gatewayExited: _exited, close: _close, sessionFile, ...info } = session;
  if (request.json) process.stdout.write(`${JSON.stringify(info)}\n`);
  else process.stdout.write(readyBlock(request.name ?? projectName(projectDir), info, relative(process.cwd(), sessionFile)));
}

/** One line for a failed start: the message of our errors (they name what to change), else the stack. */
export function describeDevFailure(error: unknown): string {
  if (error instanceof IcWsError) return `${error.message} [${error.code}]`;
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
