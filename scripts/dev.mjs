#!/usr/bin/env node
/**
 * `pnpm dev`: the one-command demo. Parses flags and environment, then calls `startDemo`
 * (scripts/dev/start-demo.ts): canisters built with azle (cached), ic-ws-devnet with them installed,
 * ic-ws-gateway against it, and the chat frontend. Everything runs from source (tsx), so a fresh clone needs
 * only `pnpm install`. Ctrl-C (SIGINT) or SIGTERM stops it all.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { register } from 'tsx/esm/api';

const HELP = `Usage: pnpm dev [-- options]

Starts the ic-ws demo: a local IC (ic-ws-devnet) with the chat canister (and ping_pong when present),
an ic-ws-gateway, and the chat frontend.

Options (flags win over environment variables):
  --devnet-port <n>    IC HTTP interface (default 4943; env IC_WS_DEVNET_PORT)
  --gateway-port <n>   gateway WebSocket server (default 8080; env IC_WS_GATEWAY_PORT)
  --frontend-port <n>  chat page (default 5173; env IC_WS_FRONTEND_PORT)
  --admin-port <n>     gateway /metrics and /healthz, 'off' to disable (default 9000; env IC_WS_ADMIN_PORT)
  --port 0             every server on a free port (for tests and parallel runs)
  --host <address>     interface to listen on (default 127.0.0.1; env IC_WS_DEMO_HOST)
  --json               print the ready block as one JSON line instead
  --verbose            print canister debug output and gateway info logs
  -h, --help           show this help
`;

/** A bad flag or variable: reported as one line, without a stack. */
class UsageError extends Error {
  name = 'UsageError';
  code = 'INVALID_OPTIONS';
}

const ENV_PORTS = { devnet: 'IC_WS_DEVNET_PORT', gateway: 'IC_WS_GATEWAY_PORT', frontend: 'IC_WS_FRONTEND_PORT', admin: 'IC_WS_ADMIN_PORT' };

function parsePort(raw, source, allowOff) {
  if (allowOff && /^(off|none|)$/i.test(raw)) return null;
  if (!/^\d+$/.test(raw) || Number(raw) > 65535) throw new UsageError(`${source}: not a TCP port: "${raw}"`);
  return Number(raw);
}

/** Ports from flags, then environment; unset ones keep startDemo's defaults. */
function portsFrom(values, env) {
  const ports = {};
  for (const [name, variable] of Object.entries(ENV_PORTS)) {
    const flag = values[`${name}-port`];
    const raw = flag ?? (values.port !== undefined ? values.port : env[variable]);
    if (raw === undefined) continue;
    const source = flag !== undefined ? `--${name}-port` : values.port !== undefined ? '--port' : variable;
    ports[name] = parsePort(raw, source, name === 'admin');
  }
  if (values.port !== undefined && values.port !== '0') throw new UsageError('--port only takes 0 (a free port for every server); use --devnet-port and the like for fixed ports');
  return ports;
}

function readyBlock(demo) {
  const rows = [
    ['gateway (WebSocket)', demo.urls.gateway],
    ['devnet (IC HTTP API)', demo.urls.devnet],
    ...(demo.urls.admin ? [['gateway metrics', `${demo.urls.admin}/metrics`]] : []),
    ['gateway principal', demo.gatewayPrincipal],
    ...Object.entries(demo.canisterIds).map(([name, id]) => [`canister ${name}`, id]),
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const line = '─'.repeat(72);
  return [
    line,
    '  ic-ws demo is running',
    '',
    `  Open the chat:  ${demo.urls.chat}/`,
    '  (a second browser or a private window is a second user: chat with yourself)',
    '',
    ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`),
    '',
    '  Ctrl-C stops everything.',
    line,
    '',
  ].join('\n');
}

async function main() {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((arg) => arg !== '--'),
    options: {
      'devnet-port': { type: 'string' },
      'gateway-port': { type: 'string' },
      'frontend-port': { type: 'string' },
      'admin-port': { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      json: { type: 'boolean' },
      verbose: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const ports = portsFrom(values, process.env);

  // Workspace packages resolve to their sources through the root tsconfig paths: no build step.
  register({ tsconfig: fileURLToPath(new URL('../tsconfig.base.json', import.meta.url)) });
  const { startDemo } = await import('./dev/start-demo.ts');

  let demo;
  let stopping = false;
  const stop = (signal) => {
    if (stopping) {
      process.stderr.write(`ic-ws demo: ${signal} again, exiting now\n`);
      process.exit(1);
    }
    stopping = true;
    process.stderr.write(`\nic-ws demo: ${signal}, stopping\n`);
    // Mid start-up: startDemo returns shortly (or fails and cleans up), and the check after it stops the rest.
    if (!demo) return;
    demo.close().then(
      () => process.exit(0),
      (error) => {
        process.stderr.write(`ic-ws demo: error while stopping: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  demo = await startDemo({
    ports,
    host: values.host ?? process.env.IC_WS_DEMO_HOST ?? '127.0.0.1',
    verbose: values.verbose === true,
    gatewayLogLevel: values.verbose ? 'info' : 'warn',
    onProgress: (line) => process.stderr.write(`ic-ws demo: ${line}\n`),
  });
  // A signal during start-up: stop what just started.
  if (stopping) return void demo.close().then(() => process.exit(0));
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ urls: demo.urls, canisterIds: demo.canisterIds, gatewayPrincipal: demo.gatewayPrincipal })}\n`);
  } else {
    process.stdout.write(readyBlock(demo));
  }
}

main().catch((error) => {
  const usage = error instanceof UsageError || String(error?.code).startsWith('ERR_PARSE_ARGS');
  const text = usage ? `${error.message} (see --help)` : error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`ic-ws demo: ${text}\n`);
  process.exit(1);
});
