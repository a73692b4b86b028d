/**
 * End-to-end latency on the devnet stack, every figure against a budget measured side by side in the same run:
 *
 *  - canister -> client: the canister queues a message (the ws-chat canister's `broadcast` update, called at
 *    a random moment, so the gateway's polls fall at random phases), and a real `IcWebSocket` hands it to the
 *    app (certificate verified). Measured from the end of the `broadcast` execution (the devnet's
 *    `onExecution`, in this process) to the client's message event (another process), on the system's
 *    monotonic clock. Budget: P/2 + query round trip + 5 ms, P the gateway's polling interval (100 ms).
 *  - echo: the client sends a message through the gateway; the canister's `onMessage` queues the echo;
 *    measured from `send` to the echo's message event, in the client's process. Budget: update round trip +
 *    query round trip + 10 ms (the gateway polls at once after relaying a client's message).
 *  - query round trip: a `ws_get_messages` at the live end of the queue, signed by the gateway's key, from
 *    the client's process (the gateway's poll without the gateway); update round trip: the `broadcast`
 *    call itself, from the client's process, as one synchronous call whose certificate is not checked (the
 *    HTTP exchange the gateway makes when it relays a `ws_message`).
 *
 * Processes: this one runs the devnet (ic-ws-devnet, real time, rounds every 200 ms as by default: see
 * bench/README.md on the round interval); the
 * gateway runs as its CLI (`ic-ws-gateway`, the built package) in a child process; the client in another
 * (bench/support/latency-client.ts). Samples are spaced by at least one devnet round, so every update finds
 * the devnet idle; the kinds interleave within each round (order shuffled), and each round gives one ratio
 * per budget: p50 / budget from that round's own p50s. Printed: min / median / max over the rounds.
 *
 *   npx tsx bench/end-to-end-latency.bench.ts [--rounds 5] [--samples 20] [--polling-interval 100]
 *
 * Needs the packages built (`pnpm bench` builds them first).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startDevnet } from 'ic-ws-devnet';
import { percentiles, report, spread } from '../../../scripts/bench-kit';
import { buildWsChat, wsChatInitArg } from '../tests/support/ws-chat-canister';
import type { LatencyCommand, LatencyEvent } from './support/latency-protocol';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    samples: { type: 'string', default: '20' },
    'polling-interval': { type: 'string', default: '100' },
  },
});
const ROUNDS = Math.max(5, Number(values.rounds));
const SAMPLES = Math.max(5, Number(values.samples));
const POLLING_INTERVAL_MS = Number(values['polling-interval']);
const ROUND_INTERVAL_MS = 200;
const DEADLINE_MS = 15 * 60_000;

const children = new Set<ChildProcess>();
const folder = mkdtempSync(join(tmpdir(), 'ic-ws-latency-'));

/** The `ic-ws-gateway` CLI of the built package, as `npx ic-ws-gateway` runs it; resolves to its URL once it listens. */
async function startGatewayProcess(args: string[]): Promise<{ url: string; child: ChildProcess }> {
  const bin = join(dirname(createRequire(import.meta.url).resolve('ic-ws-gateway/package.json')), 'bin', 'ic-ws-gateway.js');
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  return new Promise((resolve, reject) => {
    // The "listening on" line is logged at info level (the log level the bench starts the gateway with).
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.includes('listening on'));
      if (line === undefined) return;
      child.stdout!.off('data', onData);
      child.stdout!.resume();
      resolve({ url: (JSON.parse(line) as { url: string }).url, child });
    };
    child.stdout!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`ic-ws-gateway exited (${code}) before listening:\n${out}`)));
  });
}

/** The client process, one command at a time. */
class ClientProcess {
  readonly #child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./support/latency-client.ts', import.meta.url))], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  #pending: ((event: LatencyEvent) => void) | undefined;

  constructor() {
    children.add(this.#child);
    this.#child.on('message', (event: LatencyEvent) => {
      if (event.type === 'failed') {
        console.error(`client process: ${event.error}`);
        shutdown(1);
      }
      const pending = this.#pending;
      this.#pending = undefined;
      pending?.(event);
    });
    this.#child.on('exit', (code) => {
      if (code !== 0) shutdown(1);
    });
  }

  ask<T extends LatencyEvent['type']>(command: LatencyCommand, type: T): Promise<Extract<LatencyEvent, { type: T }>> {
    return new Promise((resolve) => {
      this.#pending = (event) => {
        if (event.type !== type) throw new Error(`expected '${type}', got '${event.type}'`);
        resolve(event as Extract<LatencyEvent, { type: T }>);
      };
      this.#child.send(command);
    });
  }

  exit(): void {
    this.#child.send({ cmd: 'exit' } satisfies LatencyCommand);
  }
}

function shutdown(code: number): never {
  for (const child of children) child.kill('SIGKILL');
  rmSync(folder, { recursive: true, force: true });
  process.exit(code);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (value: number, digits = 1) => Number(value.toFixed(digits));
const median = (samples: number[]) => percentiles(samples).medianUs;

type Kind = 'canisterToClient' | 'echo' | 'query' | 'update';

async function main(): Promise<void> {
  const deadline = setTimeout(() => {
    console.error(`end-to-end latency bench: over ${DEADLINE_MS / 60_000} min, giving up`);
    shutdown(1);
  }, DEADLINE_MS);
  deadline.unref();

  let broadcastExecutedNs = 0n;
  // Time inside the devnet per execution (wasm, snapshot, commit), by method: where an update's time goes.
  const executionMs = new Map<string, number[]>();
  const devnet = await startDevnet({
    roundIntervalMs: ROUND_INTERVAL_MS,
    onExecution: (stats) => {
      if (stats.methodName === 'broadcast' && !stats.trapped) broadcastExecutedNs = process.hrtime.bigint();
      if (stats.methodName !== undefined) {
        const list = executionMs.get(stats.methodName) ?? [];
        list.push(stats.totalMs);
        executionMs.set(stats.methodName, list);
      }
    },
  });
  const canisterId = await devnet.install({ wasm: await buildWsChat(), arg: wsChatInitArg() });
  const gatewayKeyPem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  writeFileSync(join(folder, 'gateway.pem'), gatewayKeyPem, { mode: 0o600 });
  writeFileSync(join(folder, 'root-key.hex'), Buffer.from(devnet.rootKey).toString('hex'));
  const gateway = await startGatewayProcess([
    ...['--ic-url', devnet.url, '--root-key-file', join(folder, 'root-key.hex'), '--identity-file', join(folder, 'gateway.pem')],
    ...['--listen', '127.0.0.1:0', '--admin-listen', '', '--polling-interval', String(POLLING_INTERVAL_MS), '--log-level', 'info'],
  ]);
  const client = new ClientProcess();
  const ready = await client.ask(
    { cmd: 'init', networkUrl: devnet.url, rootKeyHex: Buffer.from(devnet.rootKey).toString('hex'), canisterId: canisterId.toText(), gatewayUrl: gateway.url, gatewayKeyPem },
    'ready',
  );
  console.log(`devnet ${devnet.url}, gateway ${gateway.url} (polling every ${POLLING_INTERVAL_MS} ms), client BLS verifier: ${ready.blsVerifier}`);

  let id = 0;
  const sample: Record<'broadcast' | 'poll' | 'echo', () => Promise<Partial<Record<Kind, number>>>> = {
    broadcast: async () => {
      const event = await client.ask({ cmd: 'broadcast', text: `b${id++}` }, 'broadcast');
      return { update: event.updateMs, canisterToClient: Number(BigInt(event.receivedNs) - broadcastExecutedNs) / 1e6 };
    },
    poll: async () => ({ query: (await client.ask({ cmd: 'poll' }, 'poll')).ms }),
    echo: async () => ({ echo: (await client.ask({ cmd: 'echo', text: `e${id++}` }, 'echo')).ms }),
  };
  // Warm-up: JIT, connections, the client's certificate and signature caches.
  for (const take of Object.values(sample)) for (let i = 0; i < 3; i++) await take();

  const rounds: Record<Kind, number[]>[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const samples: Record<Kind, number[]> = { canisterToClient: [], echo: [], query: [], update: [] };
    for (let s = 0; s < SAMPLES; s++) {
      const order = (['broadcast', 'poll', 'echo'] as const).slice().sort(() => Math.random() - 0.5);
      for (const kind of order) {
        // Past the devnet's round, so the next update finds it idle, plus a random part of a polling interval.
        await sleep(ROUND_INTERVAL_MS + Math.random() * POLLING_INTERVAL_MS);
        for (const [name, ms] of Object.entries(await sample[kind]())) samples[name as Kind].push(ms);
      }
    }
    rounds.push(samples);
    const p50 = (kind: Kind) => round(median(samples[kind]));
    console.log(`  round ${r + 1}: p50 canister->client ${p50('canisterToClient')} ms, echo ${p50('echo')} ms, query ${p50('query')} ms, update ${p50('update')} ms`);
  }
  client.exit();
  gateway.child.kill('SIGTERM');
  await devnet.close();

  const c2cBudget = (r: Record<Kind, number[]>) => POLLING_INTERVAL_MS / 2 + median(r.query) + 5;
  const echoBudget = (r: Record<Kind, number[]>) => median(r.update) + median(r.query) + 10;
  const c2cRatios = rounds.map((r) => median(r.canisterToClient) / c2cBudget(r));
  const echoRatios = rounds.map((r) => median(r.echo) / echoBudget(r));
  const all = (kind: Kind) => rounds.flatMap((r) => r[kind]);
  const ratioText = (ratios: number[]) => {
    const { min, median: mid, max } = spread(ratios);
    return `${round(min, 2)} / ${round(mid, 2)} / ${round(max, 2)}`;
  };
  const p = (kind: Kind) => percentiles(all(kind));
  const rows = [
    {
      figure: `canister -> client, P = ${POLLING_INTERVAL_MS} ms (ms)`,
      p50: round(p('canisterToClient').medianUs),
      p99: round(p('canisterToClient').p99Us),
      budget: `P/2 + query + 5 = ${round(spread(rounds.map(c2cBudget)).median)}`,
      'ratio to budget (min / median / max)': ratioText(c2cRatios),
      target: 'median <= 1.0',
    },
    {
      figure: 'echo round trip after a client message (ms)',
      p50: round(p('echo').medianUs),
      p99: round(p('echo').p99Us),
      budget: `update + query + 10 = ${round(spread(rounds.map(echoBudget)).median)}`,
      'ratio to budget (min / median / max)': ratioText(echoRatios),
      target: 'median <= 1.0',
    },
    { figure: 'query round trip: ws_get_messages as the gateway polls (ms)', p50: round(p('query').medianUs), p99: round(p('query').p99Us), budget: '', 'ratio to budget (min / median / max)': '', target: '' },
    { figure: 'update round trip: broadcast, sync call as the gateway relays (ms)', p50: round(p('update').medianUs), p99: round(p('update').p99Us), budget: '', 'ratio to budget (min / median / max)': '', target: '' },
    ...['broadcast', 'ws_message', 'ws_get_messages'].map((method) => {
      const times = percentiles(executionMs.get(method) ?? []);
      return { figure: `  of which inside the devnet: ${method} execution (ms)`, p50: round(times.medianUs), p99: round(times.p99Us), budget: '', 'ratio to budget (min / median / max)': '', target: '' };
    }),
  ];
  report('end-to-end-latency', rows, {
    pollingIntervalMs: POLLING_INTERVAL_MS,
    devnetRoundIntervalMs: ROUND_INTERVAL_MS,
    blsVerifier: ready.blsVerifier,
    rounds,
    ratios: { canisterToClient: spread(c2cRatios), echo: spread(echoRatios) },
  });
  shutdown(0);
}

main().catch((error: unknown) => {
  console.error(error);
  shutdown(1);
});
