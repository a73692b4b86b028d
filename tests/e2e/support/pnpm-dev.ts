/**
 * `pnpm dev` at the repository root, as a terminal runs it: in a process group of its own, so that
 * Ctrl-C (SIGINT to the whole group) can be sent the way a terminal sends it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** The JSON ready line of `ic-ws-devnet dev --json`. */
export interface DevReady {
  frontendUrl: string;
  gatewayUrl: string;
  networkUrl: string;
  canisterIds: Record<string, string>;
  gatewayPrincipal: string;
}

/** A running `pnpm dev`. */
export interface PnpmDev {
  ready: DevReady;
  /** Ctrl-C: SIGINT to the process group; resolves with the exit status of pnpm and everything it printed. */
  interrupt(): Promise<{ code: number | null; output: string }>;
  /** Processes of the group still alive. */
  survivors(): number[];
  /** SIGKILL to the group (cleanup after a failure). */
  kill(): Promise<void>;
}

/** Starts `pnpm dev <args> --json` and resolves with its ready line. */
export async function startPnpmDev(args: string[]): Promise<PnpmDev> {
  const child: ChildProcess = spawn('pnpm', ['dev', ...args, '--json'], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const group = child.pid!;
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = await new Promise<DevReady>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((l) => l.startsWith('{"'));
      if (line !== undefined) resolve(JSON.parse(line) as DevReady);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    void exited.then((code) => reject(new Error(`pnpm dev exited (${code}) before its ready line:\n${output}`)));
  });
  const survivors = () => processesInGroup(group);
  return {
    ready,
    survivors,
    interrupt: async () => {
      process.kill(-group, 'SIGINT');
      const code = await exited;
      // The group's last processes (the gateway draining) may end a moment after pnpm.
      const deadline = Date.now() + 15_000;
      while (survivors().length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      return { code, output };
    },
    kill: async () => {
      for (const pid of survivors()) process.kill(pid, 'SIGKILL');
    },
  };
}

/** Pids whose process group is `group` (from /proc/<pid>/stat, field 5). */
function processesInGroup(group: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ESRCH') continue; // exited meanwhile
      throw error;
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] !== 'Z' && Number(fields[2]) === group) pids.push(Number(entry));
  }
  return pids;
}
