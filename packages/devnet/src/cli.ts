#!/usr/bin/env node
/**
 * `ic-ws-devnet`: starts a local Internet Computer, installs the given canisters, then prints ONE JSON line
 * on stdout: `{"url": "...", "rootKey": "<hex>", "canisters": {"<wasm file name>": "<canister id>"}}`.
 * Logs go to stderr. SIGINT/SIGTERM stop it cleanly. The CLI only parses and calls `startDevnet`.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { Principal } from '@dfinity/principal';
import { runBuildCli } from './dev/build-cli';
import { describeDevFailure, runDevCli } from './dev/dev-cli';
import { devnetVersion } from './package-version';
import { startDevnet, type Devnet } from './start-devnet';

const HELP = `Usage: ic-ws-devnet [options]
       ic-ws-devnet dev [options]      run your project: canisters, devnet, gateway, frontend (see dev --help)
       ic-ws-devnet build [names...]   build the Azle canisters of ./dfx.json, offline (see build --help)

A local Internet Computer in Node: runs real canister wasm behind the IC HTTP interface.

Options:
  --host <address>                Interface to listen on (default: 127.0.0.1; env IC_WS_DEVNET_HOST)
  --port <port>                   TCP port, 0 for any free one (default: 4943; env IC_WS_DEVNET_PORT)
  --install <path.wasm>[=<id>]    Install a canister; repeatable; ids are deterministic in --install order
  --init-arg-hex <hex>            Candid init argument (hex) for the --install that precedes it
                                  (or for all of them when given before the first --install)
  --root-key-secret-hex <hex>     32-byte BLS secret for a stable root key (default: a fresh key)
  --manual-time                   IC time moves only when told (default: real time)
  --round-interval-ms <ms>        Least time between two rounds of update execution (default: 200,
                                  0 with --manual-time)
  --state-dir <dir>               Keep canisters, keys and IC time in <dir>: a restart serves the same
                                  canisters in the same state (--install then upgrades changed modules)
  --delegated-certificates        Certificates as on mainnet: signed by an application subnet's key, with a
                                  delegation from the root key (default: the devnet is the root subnet)
  --no-metering                   Do not count instructions nor enforce the replica's instruction limits
  --verbose                       Print canister debug output and each execution's instructions and cycles
                                  to stderr
  -v, --version                   Print the version
  -h, --help                      Show this help

When ready, prints one JSON line on stdout:
  {"url": "http://127.0.0.1:4943", "rootKey": "<hex DER>", "canisters": {"<wasm file name>": "<canister id>"}}
`;

interface InstallSpec {
  path: string;
  canisterId?: Principal;
  initArgHex?: string;
}

/** Collects `--install`/`--init-arg-hex` in order, so an init argument applies to the canister it follows. */
function parseInstalls(tokens: readonly { kind: string; name?: string; value?: string | undefined }[]): InstallSpec[] {
  const installs: InstallSpec[] = [];
  let defaultInitArg: string | undefined;
  for (const token of tokens) {
    if (token.kind !== 'option' || token.value === undefined) continue;
    if (token.name === 'install') {
      const [path, id] = splitInstall(token.value);
      installs.push({ path, ...(id ? { canisterId: Principal.fromText(id) } : {}), ...(defaultInitArg ? { initArgHex: defaultInitArg } : {}) });
    } else if (token.name === 'init-arg-hex') {
      if (!/^([0-9a-f]{2})*$/i.test(token.value)) throw new Error(`--init-arg-hex: not hex: ${token.value}`);
      const last = installs.at(-1);
      if (last) last.initArgHex = token.value;
      else defaultInitArg = token.value;
    }
  }
  return installs;
}

function splitInstall(value: string): [string, string | undefined] {
  const at = value.lastIndexOf('=');
  return at > 0 ? [value.slice(0, at), value.slice(at + 1)] : [value, undefined];
}

function hexToBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g) ?? [], (byte) => parseInt(byte, 16));
}

function bytesToHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

async function main(argv: string[]): Promise<void> {
  const { values, tokens } = parseArgs({
    args: argv,
    tokens: true,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      install: { type: 'string', multiple: true },
      'init-arg-hex': { type: 'string', multiple: true },
      'root-key-secret-hex': { type: 'string' },
      'manual-time': { type: 'boolean' },
      'round-interval-ms': { type: 'string' },
      'delegated-certificates': { type: 'boolean' },
      'no-metering': { type: 'boolean' },
      'state-dir': { type: 'string' },
      verbose: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  if (values.version) {
    process.stdout.write(`${devnetVersion()}\n`);
    return;
  }
  const port = Number(values.port ?? process.env.IC_WS_DEVNET_PORT ?? 4943);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: not a TCP port: ${values.port}`);
  const roundText = values['round-interval-ms'];
  const roundIntervalMs = roundText === undefined ? undefined : Number(roundText);
  if (roundIntervalMs !== undefined && (!/^\d+(\.\d+)?$/.test(roundText ?? '') || !Number.isFinite(roundIntervalMs))) {
    throw new Error(`--round-interval-ms: not a number of milliseconds: ${roundText}`);
  }
  const installs = parseInstalls(tokens);
  const names = installs.map((spec) => basename(spec.path));
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate) throw new Error(`--install: two canisters named ${duplicate}; the ready line keys canisters by wasm file name, so give each a distinct file name`);
  const secretHex = values['root-key-secret-hex'];
  const host = values.host ?? process.env.IC_WS_DEVNET_HOST ?? '127.0.0.1';
  const devnet: Devnet = await startDevnet({
    host,
    port,
    time: values['manual-time'] ? 'manual' : 'real',
    ...(roundIntervalMs === undefined ? {} : { roundIntervalMs }),
    ...(values['delegated-certificates'] ? { delegatedCertificates: true } : {}),
    metering: !values['no-metering'],
    ...(secretHex ? { rootKeySecret: hexToBytes(secretHex) } : {}),
    ...(values['state-dir'] ? { stateDir: values['state-dir'] } : {}),
    log: (entry) => {
      if (values.verbose || entry.level === 'warn') process.stderr.write(`[${entry.level}] ${entry.source}: ${entry.message}\n`);
    },
  }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    throw new Error(`cannot listen on ${host}:${port}: port ${port} is in use; choose another with --port (IC_WS_DEVNET_PORT), 0 for any free one`, { cause: error });
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`ic-ws-devnet: ${signal}, stopping\n`);
    devnet.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`ic-ws-devnet: error while stopping: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  const canisters: Record<string, string> = {};
  for (const spec of installs) {
    const started = performance.now();
    const wasm = new Uint8Array(await readFile(spec.path));
    // Keyed by file name: with --state-dir, the next start finds (and upgrades, if changed) the same canister.
    const { canisterId: id, action } = await devnet.deploy({
      name: basename(spec.path),
      wasm,
      ...(spec.canisterId ? { canisterId: spec.canisterId } : {}),
      ...(spec.initArgHex ? { arg: hexToBytes(spec.initArgHex) } : {}),
    });
    canisters[basename(spec.path)] = id.toText();
    process.stderr.write(`ic-ws-devnet: ${action} ${basename(spec.path)} as ${id.toText()} in ${Math.round(performance.now() - started)} ms\n`);
  }
  process.stdout.write(`${JSON.stringify({ url: devnet.url, rootKey: bytesToHex(devnet.rootKey), canisters })}\n`);
  process.stderr.write(`ic-ws-devnet: listening on ${devnet.url}\n`);
}

const argv = process.argv.slice(2);
if (argv[0] === 'dev') {
  runDevCli(argv.slice(1)).catch((error: unknown) => {
    process.stderr.write(`ic-ws dev: ${describeDevFailure(error)}\n`);
    process.exit(1);
  });
} else if (argv[0] === 'build') {
  runBuildCli(argv.slice(1)).catch((error: unknown) => {
    process.stderr.write(`ic-ws-devnet build: ${describeDevFailure(error)}\n`);
    process.exit(1);
  });
} else {
  main(argv).catch((error: unknown) => {
    process.stderr.write(`ic-ws-devnet: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
