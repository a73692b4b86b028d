/**
 * Gateway benchmark, every figure beside a raw `ws` server doing the same in the same run:
 *  (a) memory per open session with 10 000 concurrent sessions, measured in the server process (its own
 *      process; the clients run in another): growth of heap, of heap + external buffers, and of RSS after a
 *      full GC from 5 000 to 10 000 open sessions, divided by 5 000;
 *  (b) canister -> client messages per second relayed to 1 000 clients, the IC side kept out (a stub
 *      GatewayIc serving recorded poll replies, 100 messages per reply, a 1.3 kB certificate and a 220 B
 *      witness in every frame), timed at the clients (a separate process) from release to the last frame;
 *  (c) latency per message, p50/p99, from the moment the poll reply is handed to the gateway (raw `ws`:
 *      the moment the frame is built) to the client's receipt, both on the system-wide monotonic clock.
 * Servers and clients run as child processes with `ulimit -n` raised; the whole run is bounded in time.
 * Usage: `pnpm bench` (BENCH_SESSIONS, BENCH_ROUNDS override the sizes).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { percentiles, report } from '../../../scripts/bench-kit';
import type { ClientsCommand, ClientsEvent, ServerCommand, ServerEvent } from './bench-protocol';

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 10_000);
const RELAY_CLIENTS = 1_000;
const MESSAGES_PER_CLIENT = 30;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const LATENCY_MESSAGES = 2_000;
const LATENCY_GAP_MS = 2;
const DEADLINE_MS = 15 * 60_000;

type Kind = 'gateway' | 'ws';
const benchDir = import.meta.dirname;
const children = new Set<ChildProcess>();

/** A child process with its IPC messages buffered, so a reply is never missed between two awaits. */
class Child<Command, Event extends { type: string }> {
  readonly #process: ChildProcess;
  readonly #inbox: Event[] = [];
  #waiter: (() => void) | null = null;
  readonly #exited: Promise<number | null>;

  constructor(script: string, args: string[], nodeFlags: string[] = []) {
    // The shell raises the open-file limit (10 000 sockets need more than the usual 1 024) before Node starts.
    const raise = 'ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"';
    this.#process = spawn('sh', ['-c', raise, process.execPath, ...nodeFlags, '--import', 'tsx', join(benchDir, script), ...args], {
      cwd: join(benchDir, '..'),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.add(this.#process);
    this.#process.on('message', (event: Event) => {
      this.#inbox.push(event);
      this.#waiter?.();
    });
    this.#exited = new Promise((resolve) => this.#process.on('exit', (code) => resolve(code)));
    void this.#exited.then(() => {
      children.delete(this.#process);
      this.#waiter?.();
    });
  }

  send(command: Command): void {
    this.#process.send(command as never);
  }

  /** The next message of `type` (earlier messages of other types are dropped). */
  async next<T extends Event['type']>(type: T): Promise<Extract<Event, { type: T }>> {
    for (;;) {
      const index = this.#inbox.findIndex((e) => e.type === type);
      if (index >= 0) {
        const event = this.#inbox[index] as Extract<Event, { type: T }>;
        this.#inbox.splice(0, index + 1);
        return event;
      }
      if (this.#process.exitCode !== null || this.#process.signalCode !== null) throw new Error(`bench child exited while waiting for '${type}'`);
      await new Promise<void>((resolve) => (this.#waiter = resolve));
      this.#waiter = null;
    }
  }

  async exit(): Promise<void> {
    if (this.#process.exitCode === null) this.send({ cmd: 'exit' } as Command);
    await this.#exited;
  }
}

type Server = Child<ServerCommand, ServerEvent>;
type Clients = Child<ClientsCommand, ClientsEvent>;

async function startPair(kind: Kind, exposeGc: boolean): Promise<{ server: Server; clients: Clients }> {
  // BENCH_CPU_PROF=<dir> writes a V8 CPU profile of each server process there.
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const server: Server = new Child('bench-server.ts', [kind], [...(exposeGc ? ['--expose-gc'] : []), ...profile]);
  const ready = await server.next('ready');
  const clients: Clients = new Child('bench-clients.ts', [kind, ready.url, ready.gatewayPrincipal]);
  await clients.next('ready');
  return { server, clients };
}

async function open(clients: Clients, count: number): Promise<number> {
  clients.send({ cmd: 'open', count });
  return (await clients.next('opened')).ms;
}

/**
 * (a) Server memory per connection with `SESSIONS` open: the growth from `SESSIONS / 2` to `SESSIONS` open
 * sessions after full GC, divided by `SESSIONS / 2`. Measuring the slope leaves out one-time costs that
 * the first connections bring (compiled code, young-generation growth, the poller).
 */
async function memoryPerSession(kind: Kind) {
  const { server, clients } = await startPair(kind, true);
  try {
    const half = Math.floor(SESSIONS / 2);
    server.send({ cmd: 'memory' });
    const empty = (await server.next('memory')).usage;
    const firstMs = await open(clients, half);
    server.send({ cmd: 'memory' });
    const middle = await server.next('memory');
    const secondMs = await open(clients, SESSIONS - half);
    server.send({ cmd: 'memory' });
    const full = await server.next('memory');
    if (middle.clients !== half || full.clients !== SESSIONS) throw new Error(`${kind}: ${middle.clients} then ${full.clients} sessions open`);
    const slope = (field: keyof NodeJS.MemoryUsage) => (full.usage[field] - middle.usage[field]) / (SESSIONS - half);
    const average = (field: keyof NodeJS.MemoryUsage) => (full.usage[field] - empty[field]) / SESSIONS;
    return {
      heapBytes: slope('heapUsed'),
      heapExternalBytes: slope('heapUsed') + slope('external'),
      rssBytes: slope('rss'),
      averageFromEmpty: { heapBytes: average('heapUsed'), externalBytes: average('external'), rssBytes: average('rss') },
      openPerSec: (SESSIONS * 1000) / (firstMs + secondMs),
    };
  } finally {
    await clients.exit();
    await server.exit();
  }
}

/** (b) One burst: `MESSAGES_PER_CLIENT` messages to each of the clients; messages per second at the clients. */
async function burst(pair: { server: Server; clients: Clients }): Promise<number> {
  pair.server.send({ cmd: 'prepare-burst', perClient: MESSAGES_PER_CLIENT });
  const { total } = await pair.server.next('burst-prepared');
  pair.clients.send({ cmd: 'count', total });
  await pair.clients.next('counting');
  pair.server.send({ cmd: 'release-burst' });
  const counted = await pair.clients.next('counted');
  return (counted.total * 1000) / counted.ms;
}

/** (c) Latencies of `LATENCY_MESSAGES` messages sent one at a time, µs. */
async function latencies(pair: { server: Server; clients: Clients }): Promise<{ p50: number; p99: number }> {
  pair.clients.send({ cmd: 'latency', total: LATENCY_MESSAGES });
  await pair.clients.next('counting');
  pair.server.send({ cmd: 'stamped', count: LATENCY_MESSAGES, gapMs: LATENCY_GAP_MS });
  const { samplesUs } = await pair.clients.next('latencies');
  const { medianUs, p99Us } = percentiles(samplesUs);
  return { p50: medianUs, p99: p99Us };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const round = (value: number, digits = 0) => Number(value.toFixed(digits));

async function main(): Promise<void> {
  const deadline = setTimeout(() => {
    console.error(`gateway bench: over ${DEADLINE_MS / 60_000} min, giving up`);
    for (const child of children) child.kill('SIGKILL');
    process.exit(1);
  }, DEADLINE_MS);
  deadline.unref();

  console.log(`(a) ${SESSIONS} concurrent sessions, raw ws then gateway ...`);
  const wsMemory = await memoryPerSession('ws');
  const gwMemory = await memoryPerSession('gateway');

  console.log(`(b, c) ${RELAY_CLIENTS} clients each, ${ROUNDS} alternating rounds ...`);
  const pairs = { ws: await startPair('ws', false), gateway: await startPair('gateway', false) };
  await Promise.all([open(pairs.ws.clients, RELAY_CLIENTS), open(pairs.gateway.clients, RELAY_CLIENTS)]);
  const rates: Record<Kind, number[]> = { ws: [], gateway: [] };
  const lat: Record<Kind, { p50: number; p99: number }[]> = { ws: [], gateway: [] };
  // A warm-up burst each, then alternate so both see the same machine load.
  await burst(pairs.ws);
  await burst(pairs.gateway);
  for (let r = 0; r < ROUNDS; r++) {
    for (const kind of ['ws', 'gateway'] as const) rates[kind].push(await burst(pairs[kind]));
    for (const kind of ['ws', 'gateway'] as const) lat[kind].push(await latencies(pairs[kind]));
  }
  for (const pair of Object.values(pairs)) {
    await pair.clients.exit();
    await pair.server.exit();
  }

  const rate = { ws: median(rates.ws), gateway: median(rates.gateway) };
  // Each round runs ws then the gateway back to back: the median of the per-round ratios cancels most of
  // the load changes between rounds on a shared machine.
  const pairedRatio = median(rates.gateway.map((g, i) => g / rates.ws[i]!));
  const p50 = { ws: median(lat.ws.map((l) => l.p50)), gateway: median(lat.gateway.map((l) => l.p50)) };
  const p99 = { ws: median(lat.ws.map((l) => l.p99)), gateway: median(lat.gateway.map((l) => l.p99)) };
  const rows = [
    { figure: `(a) RSS per session, ${SESSIONS / 2} -> ${SESSIONS} open (bytes)`, gateway: round(gwMemory.rssBytes), ws: round(wsMemory.rssBytes), ratio: round(gwMemory.rssBytes / wsMemory.rssBytes, 2), target: '<= 3' },
    { figure: '(a) heap + external per session (bytes)', gateway: round(gwMemory.heapExternalBytes), ws: round(wsMemory.heapExternalBytes), ratio: round(gwMemory.heapExternalBytes / wsMemory.heapExternalBytes, 2), target: '<= 3' },
    { figure: '(a) JS heap per session (bytes)', gateway: round(gwMemory.heapBytes), ws: round(wsMemory.heapBytes), ratio: round(gwMemory.heapBytes / wsMemory.heapBytes, 2), target: '' },
    { figure: '(a) sessions opened per second', gateway: round(gwMemory.openPerSec), ws: round(wsMemory.openPerSec), ratio: round(gwMemory.openPerSec / wsMemory.openPerSec, 2), target: '' },
    { figure: `(b) messages/s to ${RELAY_CLIENTS} clients (median of ${ROUNDS}; ratio: median of per-round ratios)`, gateway: round(rate.gateway), ws: round(rate.ws), ratio: round(pairedRatio, 2), target: '>= 0.5' },
    { figure: '(c) latency p50 (µs)', gateway: round(p50.gateway), ws: round(p50.ws), ratio: round(p50.gateway / p50.ws, 2), target: `added ${round(p50.gateway - p50.ws)} µs` },
    { figure: '(c) latency p99 (µs)', gateway: round(p99.gateway), ws: round(p99.ws), ratio: round(p99.gateway / p99.ws, 2), target: `added ${round(p99.gateway - p99.ws)} µs` },
  ];
  report('gateway', rows, {
    sessions: SESSIONS,
    relayClients: RELAY_CLIENTS,
    messagesPerClientPerBurst: MESSAGES_PER_CLIENT,
    rounds: { throughput: rates, latency: lat },
    throughputRatioOfMedians: rate.gateway / rate.ws,
    memory: { gateway: gwMemory, ws: wsMemory },
    notes:
      'Memory: growth of the server process (alone in its process; clients in another) after full GC from half to all sessions, per connection. ' +
      'Throughput: timed at the clients; the IC side is a stub serving recorded poll replies (100 messages each). ' +
      'Latency: poll reply handed to the gateway (raw ws: frame built) -> client receipt, monotonic clock, one message every ' +
      `${LATENCY_GAP_MS} ms. Servers and clients share the machine's cores.`,
  });
  clearTimeout(deadline);
}

main().catch((error: unknown) => {
  console.error(error);
  for (const child of children) child.kill('SIGKILL');
  process.exit(1);
});
