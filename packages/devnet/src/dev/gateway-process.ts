/**
 * The project's own `ic-ws-gateway`, run as a child process from the project's node_modules (ic-ws-devnet
 * does not depend on the gateway: the project declares it). Its JSON logs are read for the ready line;
 * warnings (everything when verbose) are passed on. It exits with us: its launcher watches its parent.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { ErrorCode, IcWsError } from 'ic-ws-protocol';

/** Options of {@link startGatewayProcess}. */
export interface GatewayProcessOptions {
  projectDir: string;
  host: string;
  port: number;
  /** `null`: no admin server. */
  adminPort: number | null;
  icUrl: string;
  identityFile: string;
  verbose: boolean;
  onLog: (line: string) => void;
}

/** A running gateway process. */
export interface GatewayProcess {
  url: string;
  principal: string;
  adminUrl: string | null;
  /** SIGTERM, then waits for the drain (sessions closed, `ws_close` made) and the exit. Idempotent. */
  stop(): Promise<void>;
  /** Resolves when the process exits, with its exit code (`null` after a signal). */
  exited: Promise<number | null>;
}

/** A log line of the gateway (pino JSON). */
interface GatewayLogLine {
  level?: number;
  msg?: string;
  url?: string;
  principal?: string;
  adminUrl?: string | null;
}

const WARN = 40;

/** Where the project's ic-ws-gateway bin is. */
export function gatewayBin(projectDir: string): string {
  let manifestPath: string;
  try {
    manifestPath = createRequire(join(projectDir, 'package.json')).resolve('ic-ws-gateway/package.json');
  } catch (error) {
    throw new IcWsError(ErrorCode.InvalidOptions, `ic-ws-gateway is not installed in ${projectDir}: add it to the project (npm install -D ic-ws-gateway)`, { cause: error });
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { bin?: Record<string, string> };
  const bin = manifest.bin?.['ic-ws-gateway'];
  if (bin === undefined) throw new IcWsError(ErrorCode.InvalidOptions, `${manifestPath} declares no ic-ws-gateway bin`);
  return join(dirname(manifestPath), bin);
}

/** Starts the gateway; resolves once it listens, rejects with its own one-line error if it exits first. */
export async function startGatewayProcess(options: GatewayProcessOptions): Promise<GatewayProcess> {
  const args = [
    gatewayBin(options.projectDir),
    '--listen', `${options.host}:${options.port}`,
    '--admin-listen', options.adminPort === null ? '' : `${options.host}:${options.adminPort}`,
    '--ic-url', options.icUrl,
    '--identity-file', options.identityFile,
    '--log-level', 'info',
  ];
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, args, {
    cwd: options.projectDir,
    // The gateway's launcher stops it when this process goes away, however it goes.
    env: { ...process.env, IC_WS_EXIT_WITH_PARENT: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    if (options.verbose) options.onLog(`[gateway] ${chunk.toString().trimEnd()}`);
  });
  const ready = new Promise<GatewayLogLine>((resolve) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const entry = parseLogLine(line);
      if (entry?.msg?.includes('listening on') === true) resolve(entry);
      if (options.verbose || entry === undefined || (entry.level ?? 0) >= WARN) options.onLog(`[gateway] ${entry?.msg ?? line}`);
    });
  });
  const outcome = await Promise.race([ready, exited.then((code) => ({ exitCode: code }))]);
  if ('exitCode' in outcome) {
    const reason = stderr.trim().split('\n').at(-1)?.replace(/^ic-ws-gateway: /, '') ?? `exit code ${outcome.exitCode}`;
    throw new IcWsError(ErrorCode.ListenFailed, `the gateway did not start: ${reason}`);
  }
  let stopping: Promise<void> | undefined;
  return {
    url: String(outcome.url),
    principal: String(outcome.principal),
    adminUrl: outcome.adminUrl ?? null,
    exited,
    stop: () =>
      (stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        await exited;
      })()),
  };
}

function parseLogLine(line: string): GatewayLogLine | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    return JSON.parse(line) as GatewayLogLine;
  } catch (error) {
    if (error instanceof SyntaxError) return undefined; // not one of its JSON lines: pass it on as text
    throw error;
  }
}
