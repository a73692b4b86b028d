/**
 * Command line of the ping-pong client: flags over `IC_WS_*` variables over what the running `npm run dev`
 * wrote to `.ic-ws/dev.json`.
 */
import { parseArgs } from 'node:util';
import { PING_PONG_DEFAULTS, type PingPongOptions } from './ping-pong-client';
import { PingPongError } from './ping-pong-error';

/** What a running dev session tells clients (`.ic-ws/dev.json`, written by `npm run dev`). */
export interface DevSession {
  gatewayUrl: string;
  networkUrl: string;
  canisterIds: Record<string, string>;
}

/** `--help` text. */
export const PING_PONG_HELP = `Usage: npm start -- [options]

Sends pings to the ping-pong canister through an IC WebSocket gateway, one at a time, and prints each
round trip and their median and 99th percentile. Without flags it connects to what \`npm run dev\` runs
(read from .ic-ws/dev.json).

Options:
  --pings <n>             pings to send (default: ${PING_PONG_DEFAULTS.pings})
  --gateway-url <url>     gateway WebSocket URL (env IC_WS_GATEWAY_URL)
  --network-url <url>     IC HTTP endpoint (env IC_WS_NETWORK_URL)
  --canister-id <id>      ping-pong canister (env IC_WS_PING_PONG_CANISTER_ID)
  --timeout <ms>          wait for the connection and for each pong (default: ${PING_PONG_DEFAULTS.timeoutMs})
  -h, --help              show this help
`;

/** What the command line asks for. */
export type PingPongCliRequest = { kind: 'help' } | { kind: 'run'; options: PingPongOptions };

/**
 * Parses flags and environment.
 *
 * @throws PingPongError `INVALID_OPTIONS` for unknown flags and numbers that do not parse.
 */
export function parsePingPongCli(argv: readonly string[], env: Record<string, string | undefined>, dev?: DevSession): PingPongCliRequest {
  // `npm start -- --pings 5` may hand the script the `--` itself.
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        pings: { type: 'string' },
        'gateway-url': { type: 'string' },
        'network-url': { type: 'string' },
        'canister-id': { type: 'string' },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new PingPongError('INVALID_OPTIONS', (error as Error).message, { cause: error });
  }
  if (values.help === true) return { kind: 'help' };
  const setting = (flag: string, variable: string, fromDev: string | undefined): string => {
    const value = (values as Record<string, string | undefined>)[flag] ?? env[variable] ?? fromDev;
    if (value === undefined) {
      throw new PingPongError('INVALID_OPTIONS', `no --${flag}, and no running \`npm run dev\` to take it from (.ic-ws/dev.json): start it, or pass --${flag} (env ${variable})`);
    }
    return value;
  };
  return {
    kind: 'run',
    options: {
      gatewayUrl: setting('gateway-url', 'IC_WS_GATEWAY_URL', dev?.gatewayUrl),
      networkUrl: setting('network-url', 'IC_WS_NETWORK_URL', dev?.networkUrl),
      canisterId: setting('canister-id', 'IC_WS_PING_PONG_CANISTER_ID', dev?.canisterIds.ping_pong),
      pings: positiveInteger('--pings', values.pings, PING_PONG_DEFAULTS.pings),
      timeoutMs: positiveInteger('--timeout', values.timeout, PING_PONG_DEFAULTS.timeoutMs),
    },
  };
}

function positiveInteger(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^[1-9][0-9]*$/.test(value)) throw new PingPongError('INVALID_OPTIONS', `${flag}: expected a positive integer, got '${value}'`);
  return Number(value);
}
