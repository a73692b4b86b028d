/**
 * Flags and environment of `ic-ws-devnet dev`: defaults < IC_WS_* variables < flags.
 */
import { parseArgs } from 'node:util';
import { ErrorCode, IcWsError } from 'ic-ws-protocol';
import type { DevOptions, DevPorts } from './dev-options';

/** What the command line asks for. */
export type DevCliRequest = { kind: 'help' } | { kind: 'start'; options: DevOptions; json: boolean; name: string | undefined };

export const DEV_HELP = `Usage: ic-ws-devnet dev [options]

Runs your ic-ws project locally, in one command: builds the Azle canisters of ./dfx.json (cached), starts a
local IC (ic-ws-devnet) with them installed, your project's ic-ws-gateway against it and, with --frontend,
your frontend; then prints where everything is and writes it to .ic-ws/dev.json for clients.
Ctrl-C (or SIGTERM) stops it all: the gateway closes its sessions first.

Options (flags win over environment variables):
  --project <dir>        the folder with dfx.json (default: the current folder)
  --canister <name>      build and install only these canisters, in this order (repeatable; default: every
                         azle canister of dfx.json, in its order)
  --frontend <module>    a module of the project exporting startFrontend({ host, port, config })
  --devnet-port <n>      IC HTTP interface (default 4943; env IC_WS_DEVNET_PORT)
  --gateway-port <n>     gateway WebSocket server (default 8080; env IC_WS_GATEWAY_PORT)
  --frontend-port <n>    frontend (default 5173; env IC_WS_FRONTEND_PORT)
  --admin-port <n>       gateway /metrics and /readyz, 'off' to disable (default 9000; env IC_WS_ADMIN_PORT)
  --port 0               every server on a free port (for tests and parallel runs)
  --host <address>       interface to listen on (default 127.0.0.1; env IC_WS_DEV_HOST)
  --name <text>          what the ready block calls the project (default: package.json "name")
  --state-dir <dir>      the project's local state: devnet canisters and data, gateway identity, dev.json
                         (default: .ic-ws in the project)
  --clean                start over: forget the canisters and their data kept in <state dir>/devnet
                         (without it, a restart finds them as they were; changed code is upgraded)
  --json                 print the ready information as one JSON line instead of the block
  --verbose              print canister debug output and the gateway's info logs
  -h, --help             show this help
`;

const ENV_PORTS = { devnet: 'IC_WS_DEVNET_PORT', gateway: 'IC_WS_GATEWAY_PORT', frontend: 'IC_WS_FRONTEND_PORT', admin: 'IC_WS_ADMIN_PORT' } as const;

function usage(message: string): IcWsError {
  return new IcWsError(ErrorCode.InvalidOptions, `${message} (see ic-ws-devnet dev --help)`);
}

function parsePort(raw: string, source: string, allowOff: boolean): number | null {
  if (allowOff && /^(off|none|)$/i.test(raw)) return null;
  if (!/^\d+$/.test(raw) || Number(raw) > 65535) throw usage(`${source}: not a TCP port: "${raw}"`);
  return Number(raw);
}

/** Parses `ic-ws-devnet dev`'s arguments (those after `dev`). A lone `--` (from `npm run dev -- ...`) is ignored. */
export function parseDevCli(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): DevCliRequest {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv.filter((arg) => arg !== '--'),
      strict: true,
      allowPositionals: false,
      options: {
        project: { type: 'string' },
        canister: { type: 'string', multiple: true },
        frontend: { type: 'string' },
        'devnet-port': { type: 'string' },
        'gateway-port': { type: 'string' },
        'frontend-port': { type: 'string' },
        'admin-port': { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        name: { type: 'string' },
        json: { type: 'boolean' },
        clean: { type: 'boolean' },
        'state-dir': { type: 'string' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw usage(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return { kind: 'help' };
  if (values.port !== undefined && values.port !== '0') throw usage('--port only takes 0 (a free port for every server); use --devnet-port and the like for fixed ports');
  const ports: Partial<DevPorts> = {};
  for (const [name, variable] of Object.entries(ENV_PORTS) as [keyof DevPorts, string][]) {
    const flag = values[`${name}-port`];
    const raw = flag ?? values.port ?? env[variable];
    if (raw === undefined) continue;
    const source = flag !== undefined ? `--${name}-port` : values.port !== undefined ? '--port' : variable;
    const port = parsePort(raw, source, name === 'admin');
    if (name === 'admin') ports.admin = port;
    else ports[name] = port!;
  }
  const options: DevOptions = {
    ports,
    host: values.host ?? env.IC_WS_DEV_HOST ?? '127.0.0.1',
    verbose: values.verbose === true,
    ...(values.project === undefined ? {} : { projectDir: values.project }),
    ...(values.canister === undefined ? {} : { canisters: values.canister }),
    ...(values.frontend === undefined ? {} : { frontend: values.frontend }),
    ...(values.clean === true ? { clean: true } : {}),
    ...(values['state-dir'] === undefined ? {} : { stateDir: values['state-dir'] }),
  };
  return { kind: 'start', options, json: values.json === true, name: values.name };
}
