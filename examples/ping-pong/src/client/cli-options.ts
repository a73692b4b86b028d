/**
 * Command line of the ping-pong client: flags over `IC_WS_*` variables over defaults that match the demo
 * stack `pnpm dev` starts.
 */
import { parseArgs } from 'node:util';
import { PING_PONG_DEFAULTS, type PingPongOptions } from './ping-pong-client';
import { PingPongError } from './ping-pong-error';

/**
 * Where `pnpm dev` serves: the gateway on 8080, the devnet on 4943, and the ping-pong canister at the id
 * the devnet gives the second canister it installs (chat is first).
 */
export const DEV_STACK = {
  gatewayUrl: 'ws://127.0.0.1:8080',
  networkUrl: 'http://127.0.0.1:4943',
  canisterId: 'rrkah-fqaaa-aaaaa-aaaaq-cai',
} as const;

/** `--help` text. */
export const PING_PONG_HELP = `Usage: pnpm --filter ic-ws-example-ping-pong start -- [options]

Sends pings to the ping-pong canister through an IC WebSocket gateway, one at a time, and prints each
round trip and their median and 99th percentile.

Options:
  --pings <n>             pings to send (default: ${PING_PONG_DEFAULTS.pings})
  --gateway-url <url>     gateway WebSocket URL (default: ${DEV_STACK.gatewayUrl}; env IC_WS_GATEWAY_URL)
  --network-url <url>     IC HTTP endpoint (default: ${DEV_STACK.networkUrl}; env IC_WS_NETWORK_URL)
  --canister-id <id>      ping-pong canister (default: ${DEV_STACK.canisterId}; env IC_WS_PING_PONG_CANISTER_ID)
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
export function parsePingPongCli(argv: readonly string[], env: Record<string, string | undefined>): PingPongCliRequest {
  // `pnpm start -- --pings 5` may hand the script the `--` itself.
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
  return {
    kind: 'run',
    options: {
      gatewayUrl: values['gateway-url'] ?? env.IC_WS_GATEWAY_URL ?? DEV_STACK.gatewayUrl,
      networkUrl: values['network-url'] ?? env.IC_WS_NETWORK_URL ?? DEV_STACK.networkUrl,
      canisterId: values['canister-id'] ?? env.IC_WS_PING_PONG_CANISTER_ID ?? DEV_STACK.canisterId,
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
