/**
 * Idle gateway benchmark: the CPU an `ic-ws-gateway` spends while every canister it serves stays idle, beside
 * the same gateway polling at the fixed interval, in one run (bench/README.md says what each side does).
 *
 * ic-ws-devnet (real time, default rounds) runs `CANISTERS` ws-echo canisters (ic-ws-canister on Azle). Four
 * gateway CLIs run side by side against it, each in its own process: **backoff**, the CLI with its default
 * options (idle polling backs off up to `--max-idle-polling-interval`, 3 s), **backoff10s**, the same with
 * `--max-idle-polling-interval 10000`, **fixed**, the same CLI with `--max-idle-polling-interval` equal to
 * `--polling-interval` (every canister polled every interval, as before), and **baseline**, with a 10-minute
 * cap (once settled it hardly polls: what the gateway costs besides polls). Each holds
 * `SESSIONS_PER_CANISTER` sessions on every canister, opened for real (signed `ws_open`, the canister's
 * OpenMessage delivered); then nothing happens. The canisters' ack interval (300 s by default) is longer
 * than the bench, so no canister queues anything while it is measured.
 * Each round is a window of `WINDOW_MS` in which every process's CPU time (user + system, from
 * /proc/<pid>/task/<tid>/schedstat: Linux) and poll count (its /metrics) are read at its start and end; per round: each
 * side's share of one core, the ratio fixed / side, and the CPU per poll above the baseline side. Printed:
 * min / median / max over the rounds.
 *
 *   pnpm --filter ic-ws-gateway bench   (or: tsx bench/idle.bench.ts; IDLE_ROUNDS, IDLE_WINDOW_MS; IDLE_SIDES=backoff,fixed
 *   runs only those sides; IDLE_CPU_PROF=<dir> writes a V8 CPU profile of each gateway process to <dir>/<side>/ and
 *   the measured windows, in ms since the process started, to <dir>/windows.json: see bench/profile-summary.ts)
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { CanisterWsOpenArgumentsIdl, decodeHandshakeFrame } from 'ic-ws-protocol';
import { startDevnet } from 'ic-ws-devnet';
import { report, spread } from '../../../scripts/bench-kit';
import { NodeEd25519Identity } from '../src/ic/node-ed25519-identity';
import { signedRequestFrame } from '../src/testing/signed-request-frame';
import { TestClient } from '../src/testing/test-client';
import { runCli, type RunningCli } from '../tests/support/run-cli';
import { buildWsEcho } from '../tests/support/ws-echo-canister';

const CANISTERS = 10;
const SESSIONS_PER_CANISTER = 5;
const POLLING_INTERVAL_MS = 100;
const ROUNDS = Math.max(5, Number(process.env.IDLE_ROUNDS ?? 5));
const WINDOW_MS = Number(process.env.IDLE_WINDOW_MS ?? 15_000);
/** Both sides' sessions must be idle: the first polls after opening (positioning, backing off) are left out. */
const SETTLE_MS = 10_000;
const DEADLINE_MS = 10 * 60_000;

/** The sides: the CLI's default, the same with a longer idle cap, and without backoff. */
const ALL_SIDES = {
  backoff: [],
  backoff10s: ['--max-idle-polling-interval', '10000'],
  fixed: ['--max-idle-polling-interval', String(POLLING_INTERVAL_MS)],
  // Polls almost never once settled (the interval doubles to minutes): what an idle gateway costs besides polls.
  baseline: ['--max-idle-polling-interval', '600000'],
} as const satisfies Record<string, readonly string[]>;
type Kind = keyof typeof ALL_SIDES;
const SIDES: Partial<Record<Kind, readonly string[]>> = process.env.IDLE_SIDES
  ? Object.fromEntries(process.env.IDLE_SIDES.split(',').map((kind) => {
      if (!(kind in ALL_SIDES)) throw new Error(`IDLE_SIDES: unknown side ${kind} (sides: ${Object.keys(ALL_SIDES).join(', ')})`);
      return [kind, ALL_SIDES[kind as Kind]];
    }))
  : ALL_SIDES;
const PROFILE_DIR = process.env.IDLE_CPU_PROF;

interface GatewayProcess {
  kind: Kind;
  cli: RunningCli;
  /** `performance.now()` when the process was started (profile offsets count from it). */
  startedAt: number;
  url: string;
  adminUrl: string;
  principal: Principal;
}

async function startGatewayProcess(kind: Kind, folder: string, icUrl: string, rootKeyFile: string): Promise<GatewayProcess> {
  const startedAt = performance.now();
  const profile = PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${join(PROFILE_DIR, kind)}`] : [];
  const cli = runCli(
    [
      ...['--ic-url', icUrl, '--root-key-file', rootKeyFile, '--identity-file', join(folder, `${kind}.pem`)],
      ...['--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0', '--polling-interval', String(POLLING_INTERVAL_MS)],
      ...SIDES[kind]!,
    ],
    {},
    profile,
  );
  const line = await cli.logLine('listening on');
  return { kind, cli, startedAt, url: line.url as string, adminUrl: line.adminUrl as string, principal: Principal.fromText(line.principal as string) };
}

/** Opens a session for real: handshake, a signed `ws_open`, the canister's OpenMessage. */
async function openSession(gateway: GatewayProcess, canisterId: Principal): Promise<TestClient> {
  const socket = await TestClient.connect(gateway.url);
  decodeHandshakeFrame(await socket.nextFrame());
  const identity = NodeEd25519Identity.generate();
  const arg = new Uint8Array(IDL.encode([CanisterWsOpenArgumentsIdl], [{ client_nonce: BigInt(Date.now()), gateway_principal: gateway.principal }]));
  socket.send(await signedRequestFrame(identity, { canisterId, methodName: 'ws_open', arg }));
  await socket.nextFrame();
  return socket;
}

/**
 * The process's CPU time so far, in ms: the time its threads ran on a CPU (user and kernel), summed over
 * /proc/<pid>/task/<tid>/schedstat (nanoseconds; /proc/<pid>/stat counts 10 ms ticks, too coarse for the
 * ~100 ms an idle gateway spends in a window). A thread that ended within a window is missed; the gateway's
 * threads (main, V8 platform, libuv pool) live as long as it.
 */
function cpuMs(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch (error) {
      // The thread ended between the listing and the read.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && (error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }
  return ns / 1e6;
}

/** Polls so far: the count of the gateway's poll-duration histogram on its /metrics. */
async function polls(adminUrl: string): Promise<number> {
  const text = await (await fetch(new URL('/metrics', adminUrl))).text();
  let total = 0;
  for (const line of text.split('\n')) if (line.startsWith('ic_ws_gateway_poll_duration_seconds_count')) total += Number(line.split(' ').pop());
  return total;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (value: number, digits = 2) => Number(value.toFixed(digits));
const spreadText = (values: number[], digits = 2) => {
  const { min, median, max } = spread(values);
  return `${round(min, digits)} / ${round(median, digits)} / ${round(max, digits)}`;
};

async function main(): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'ic-ws-idle-'));
  const gateways: GatewayProcess[] = [];
  const deadline = setTimeout(() => {
    console.error(`idle bench: over ${DEADLINE_MS / 60_000} min, giving up`);
    for (const gateway of gateways) gateway.cli.child.kill('SIGKILL');
    process.exit(1);
  }, DEADLINE_MS);
  deadline.unref();

  const devnet = await startDevnet();
  const wasm = await buildWsEcho();
  const canisters: Principal[] = [];
  for (let i = 0; i < CANISTERS; i++) canisters.push(await devnet.install({ wasm }));
  const rootKeyFile = join(folder, 'root-key.hex');
  writeFileSync(rootKeyFile, Buffer.from(devnet.rootKey).toString('hex'));
  for (const kind of Object.keys(SIDES) as Kind[]) gateways.push(await startGatewayProcess(kind, folder, devnet.url, rootKeyFile));
  const sockets: TestClient[] = [];
  for (const gateway of gateways) {
    for (const canisterId of canisters) {
      sockets.push(...(await Promise.all(Array.from({ length: SESSIONS_PER_CANISTER }, () => openSession(gateway, canisterId)))));
    }
  }
  console.log(`${CANISTERS} idle canisters, ${SESSIONS_PER_CANISTER} sessions on each through each gateway; settling ${SETTLE_MS / 1000} s ...`);
  await sleep(SETTLE_MS);
  const measuredFrom = performance.now();

  const rounds: Partial<Record<Kind, { corePercent: number; pollsPerSec: number; cpuMsPerPoll: number }>>[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    // The /metrics scrapes stay outside the window: CPU is read after the first and before the second.
    const start = await Promise.all(
      gateways.map(async (g) => {
        const pollCount = await polls(g.adminUrl);
        return { cpu: cpuMs(g.cli.child.pid!), polls: pollCount, at: performance.now() };
      }),
    );
    await sleep(WINDOW_MS);
    const result = {} as (typeof rounds)[number];
    for (const [i, gateway] of gateways.entries()) {
      const end = { cpu: cpuMs(gateway.cli.child.pid!), polls: await polls(gateway.adminUrl), at: performance.now() };
      const cpu = end.cpu - start[i]!.cpu;
      const pollCount = end.polls - start[i]!.polls;
      result[gateway.kind] = {
        corePercent: (100 * cpu) / (end.at - start[i]!.at),
        pollsPerSec: (pollCount * 1000) / (end.at - start[i]!.at),
        cpuMsPerPoll: pollCount > 0 ? cpu / pollCount : NaN,
      };
    }
    rounds.push(result);
    const text = (kind: Kind) => `${kind} ${round(result[kind]!.corePercent)} % of a core (${round(result[kind]!.pollsPerSec, 1)} polls/s)`;
    console.log(`  round ${r + 1}: ${(Object.keys(SIDES) as Kind[]).map(text).join(', ')}`);
  }
  if (PROFILE_DIR) {
    const measuredTo = performance.now();
    const windows = Object.fromEntries(gateways.map((g) => [g.kind, { fromMs: measuredFrom - g.startedAt, toMs: measuredTo - g.startedAt }]));
    mkdirSync(PROFILE_DIR, { recursive: true });
    writeFileSync(join(PROFILE_DIR, 'windows.json'), JSON.stringify(windows, null, 2));
    // A profile's clock starts a little after the process does: keep the shutdown out of the last window.
    await sleep(1_500);
  }
  const closed = sockets.filter((s) => s.ws.readyState !== s.ws.OPEN).length;
  for (const socket of sockets) socket.ws.terminate();
  for (const gateway of gateways) gateway.cli.child.kill('SIGTERM');
  await Promise.all(gateways.map((g) => g.cli.exited));
  await devnet.close();
  rmSync(folder, { recursive: true, force: true });
  if (closed > 0) throw new Error(`${closed} sessions closed during the bench: the canisters were not idle`);

  const column = (kind: Kind, field: 'corePercent' | 'pollsPerSec' | 'cpuMsPerPoll') => rounds.map((r) => r[kind]![field]);
  const perSide = (figure: string, value: (kind: Kind) => string | number, target = '') => ({
    figure,
    ...Object.fromEntries((Object.keys(SIDES) as Kind[]).map((kind) => [kind, value(kind)])),
    target,
  });
  const rows = [
    perSide('% of one core, idle (min / median / max)', (kind) => spreadText(column(kind, 'corePercent')), 'backoff median <= 1'),
    ...('fixed' in SIDES ? [perSide('ratio fixed / side CPU (min / median / max)', (kind) => spreadText(rounds.map((r) => r.fixed!.corePercent / r[kind]!.corePercent)))] : []),
    perSide('polls per second, all canisters (median)', (kind) => round(spread(column(kind, 'pollsPerSec')).median, 1)),
    perSide('CPU ms per poll (median)', (kind) => round(spread(column(kind, 'cpuMsPerPoll')).median, 3)),
    ...('baseline' in SIDES
      ? [
          perSide('CPU ms per poll above the baseline side (median)', (kind) =>
            kind === 'baseline'
              ? ''
              : round(spread(rounds.map((r) => ((r[kind]!.corePercent - r.baseline!.corePercent) * 10) / r[kind]!.pollsPerSec)).median, 3),
          ),
        ]
      : []),
  ];
  report('gateway-idle', rows, {
    canisters: CANISTERS,
    sessionsPerCanister: SESSIONS_PER_CANISTER,
    pollingIntervalMs: POLLING_INTERVAL_MS,
    windowMs: WINDOW_MS,
    rounds,
    notes: 'See bench/README.md. CPU from /proc/<pid>/task/*/schedstat of each gateway CLI process over the same windows.',
  });
  clearTimeout(deadline);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
