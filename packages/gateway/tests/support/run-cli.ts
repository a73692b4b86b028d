import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

/** A running `ic-ws-gateway` CLI process (from source, through tsx) with its output collected. */
export interface RunningCli {
  child: ChildProcessWithoutNullStreams;
  /** Resolves with the exit code (`null` when killed by a signal). */
  exited: Promise<number | null>;
  output: { readonly stdout: string; readonly stderr: string };
  /** Resolves with the first JSON log line on stdout whose `msg` contains `text`. */
  logLine(text: string): Promise<Record<string, unknown>>;
}

/** Starts the CLI with `args`, the current environment plus `env`, and Node flags `nodeArgs` (e.g. `--cpu-prof`). */
export function runCli(args: string[], env: Record<string, string> = {}, nodeArgs: readonly string[] = []): RunningCli {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', cli, ...args], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const output = {
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
  };
  const logLine = (text: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const find = () => {
        const line = stdout.split('\n').find((l) => l.includes(text));
        if (line === undefined) return false;
        resolve(JSON.parse(line) as Record<string, unknown>);
        return true;
      };
      if (find()) return;
      const onData = () => {
        if (find()) child.stdout.off('data', onData);
      };
      child.stdout.on('data', onData);
      void exited.then((code) => reject(new Error(`the CLI exited (${code}) before logging '${text}':\n${stderr}`)));
    });
  return { child, exited, output, logLine };
}
