/**
 * Process helpers for the packaging tests: a child whose stdout is read line by line, and a look at /proc
 * for what is still running (the point of the signal tests is that nothing is).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

/** A running child process with its output lines. */
export interface LineProcess {
  child: ChildProcessWithoutNullStreams;
  /** Resolves with the first stdout line `match` accepts; rejects if the process exits first. */
  line(match: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code (`null` when killed by a signal). */
  exited: Promise<number | null>;
  output(): string;
}

/** Starts `command` with its stdout read line by line (stderr collected for error messages). */
export function startLineProcess(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): LineProcess {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let stderr = '';
  const waiters = new Set<() => void>();
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line);
    for (const wake of waiters) wake();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const output = () => `stdout:\n${lines.join('\n')}\nstderr:\n${stderr}`;
  const line = (match: (line: string) => boolean, timeoutMs = 120_000) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const found = lines.find(match);
        if (found === undefined) return;
        cleanup();
        resolve(found);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${command} ${args.join(' ')}: no matching line within ${timeoutMs} ms\n${output()}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      void exited.then((code) => {
        if (!waiters.has(check)) return;
        cleanup();
        reject(new Error(`${command} ${args.join(' ')} exited (${code}) before the expected line\n${output()}`));
      });
      check();
    });
  return { child, line, exited, output };
}

/** Pids of the running processes whose command line contains every one of `parts`. */
export function processesMatching(...parts: string[]): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ESRCH') continue; // exited meanwhile
      throw error;
    }
    if (parts.every((part) => cmdline.includes(part))) found.push(Number(entry));
  }
  return found;
}
