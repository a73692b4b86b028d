/**
 * Gateway benchmark, every figure beside a raw `ws` server doing the same in the same run (bench/README.md
 * says what each side does):
 *  (a) memory per open session with 10 000 concurrent sessions, measured in the server process (its own
 *      process; the clients run in others): growth of heap, of heap + external buffers, and of RSS after a
 *      full GC from 5 000 to 10 000 open sessions, divided by 5 000;
 *  (b) server CPU time per relayed canister message, bursts of 30 messages to each of 1 000 clients: the
 *      gateway gets real `ws_get_messages` reply bytes (Candid, 50 messages per reply) from a stub IC and
 *      does all its own work (decode, route, frames, sessions); the raw `ws` server builds the same frames
 *      with the same encoder and sends them. Messages per second at the clients printed beside.
 * Rounds alternate which side goes first ((a) in fresh processes every round); ratios are per round, printed
 * as min / median / max.
 * Usage: `pnpm bench` (BENCH_SESSIONS, BENCH_ROUNDS, BENCH_MEMORY_ROUNDS, BENCH_CLIENT_PROCESSES override the sizes; BENCH_CPU_PROF=<dir>
 * writes a CPU profile of each server's timed bursts there).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { report, spread } from '../../../scripts/bench-kit';
import type { ClientsCommand, ClientsEvent, ServerCommand, ServerEvent } from './bench-protocol';

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 10_000);
const RELAY_CLIENTS = 1_000;
const MESSAGES_PER_CLIENT = 30;
const ROUNDS = Math.max(5, Number(process.env.BENCH_ROUNDS ?? 7));
const MEMORY_ROUNDS = Math.max(5, Number(process.env.BENCH_MEMORY_ROUNDS ?? 5));
const CLIENT_PROCESSES = Number(process.env.BENCH_CLIENT_PROCESSES ?? 3);
const DEADLINE_MS = 20 * 60_000;

type Kind = 'gateway' | 'ws';
const benchDir = import.meta.dirname;
const children = new Set<ChildProcess>();

/** A child process with its IPC messages buffered, so a reply is never missed between two awaits. */
class Child<Command, Event extends { type: string }> {
  readonly #process: ChildProcess;
  readonly #inbox: Event[] = [];
  #waiter: (() => void) | null = null;
  readonly #exited: Promise<number | null>;

  constructor(script: string, args: string[], nodeFlags: string[] = [], env: NodeJS.ProcessEnv = {}) {
    // The shell raises the open-file limit (10 000 sockets need more than the usual 1 024) before Node starts.
    const raise = 'ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"';
    this.#process = spawn('sh', ['-c', raise, process.execPath, ...nodeFlags, '--import', 'tsx', join(benchDir, script), ...args], {
      cwd: join(benchDir, '..'),
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.add(this.#process);
    this.#process.on('message', (event: Event) => {
      if (process.env.BENCH_DEBUG === 'ipc') console.log(performance.now().toFixed(0), script, args[0], JSON.stringify(event).slice(0, 120));
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

/** A server and its clients, spread over `CLIENT_PROCESSES` processes. */
interface Pair {
  kind: Kind;
  server: Server;
  clients: Clients[];
  /** Sessions open in each client process. */
  open: number[];
}

async function startPair(kind: Kind): Promise<Pair> {
  // Built packages, not sources through tsx (see bench/tsconfig.dist.json): `pnpm bench` builds them first.
  const server: Server = new Child('bench-server.ts', [kind], ['--expose-gc'], { TSX_TSCONFIG_PATH: join(benchDir, 'tsconfig.dist.json') });
  const ready = await server.next('ready');
  const clients = Array.from({ length: CLIENT_PROCESSES }, (): Clients => new Child('bench-clients.ts', [kind, ready.url, ready.gatewayPrincipal]));
  await Promise.all(clients.map((c) => c.next('ready')));
  return { kind, server, clients, open: clients.map(() => 0) };
}

async function stopPair(pair: Pair): Promise<void> {
  await Promise.all(pair.clients.map((c) => c.exit()));
  await pair.server.exit();
}

/** Opens `count` more sessions, spread evenly over the client processes; resolves to the time it took. */
async function open(pair: Pair, count: number): Promise<number> {
  const started = performance.now();
  const processes = pair.clients.length;
  const shares = pair.clients.map((_c, p) => Math.floor(count / processes) + (p < count % processes ? 1 : 0));
  // Client indexes are global (the stub IC addresses client i as benchClientKey(i)): each process takes a range.
  let first = pair.open.reduce((a, b) => a + b, 0);
  const firsts = shares.map((share) => (first += share) - share);
  await Promise.all(
    pair.clients.map(async (clients, p) => {
      clients.send({ cmd: 'open', first: firsts[p]!, count: shares[p]! });
      await clients.next('opened');
      pair.open[p]! += shares[p]!;
    }),
  );
  return performance.now() - started;
}

/**
 * (a) Server memory per connection with `SESSIONS` open: the growth from `SESSIONS / 2` to `SESSIONS` open
 * sessions after full GC, divided by `SESSIONS / 2`. Measuring the slope leaves out one-time costs that
 * the first connections bring (compiled code, young-generation growth, the poller).
 */
interface MemoryFigures {
  heapBytes: number;
  heapExternalBytes: number;
  rssBytes: number;
  averageFromEmpty: { heapBytes: number; externalBytes: number; rssBytes: number };
  openPerSec: number;
}
type MemoryField = Exclude<keyof MemoryFigures, 'averageFromEmpty'>;

async function memoryPerSession(kind: Kind): Promise<MemoryFigures> {
  const pair = await startPair(kind);
  try {
    const half = Math.floor(SESSIONS / 2);
    pair.server.send({ cmd: 'memory' });
    const empty = (await pair.server.next('memory')).usage;
    const firstMs = await open(pair, half);
    pair.server.send({ cmd: 'memory' });
    const middle = await pair.server.next('memory');
    const secondMs = await open(pair, SESSIONS - half);
    pair.server.send({ cmd: 'memory' });
    const full = await pair.server.next('memory');
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
    await stopPair(pair);
  }
}

/** (b) One burst: `MESSAGES_PER_CLIENT` messages to each client; server CPU per message and messages/s at the clients. */
async function burst(pair: Pair): Promise<{ cpuUsPerMessage: number; messagesPerSec: number; userUs: number; systemUs: number }> {
  pair.server.send({ cmd: 'prepare-burst', perClient: MESSAGES_PER_CLIENT });
  const { total } = await pair.server.next('burst-prepared');
  await Promise.all(
    pair.clients.map(async (clients, p) => {
      clients.send({ cmd: 'count', total: pair.open[p]! * MESSAGES_PER_CLIENT });
      await clients.next('counting');
    }),
  );
  const started = performance.now();
  pair.server.send({ cmd: 'release-burst' });
  await Promise.all(pair.clients.map((clients) => clients.next('counted')));
  const ms = performance.now() - started;
  if (process.env.BENCH_DEBUG) console.log(`  ${pair.kind} burst: ${Math.round(ms)} ms`);
  pair.server.send({ cmd: 'cpu' });
  const cpu = await pair.server.next('cpu');
  return { cpuUsPerMessage: (cpu.userUs + cpu.systemUs) / total, messagesPerSec: (total * 1000) / ms, userUs: cpu.userUs, systemUs: cpu.systemUs };
}

const round = (value: number, digits = 0) => Number(value.toFixed(digits));
const spreadText = (values: number[], digits = 2) => {
  const { min, median, max } = spread(values);
  return `${round(min, digits)} / ${round(median, digits)} / ${round(max, digits)}`;
};

async function main(): Promise<void> {
  const deadline = setTimeout(() => {
    console.error(`gateway bench: over ${DEADLINE_MS / 60_000} min, giving up`);
    for (const child of children) child.kill('SIGKILL');
    process.exit(1);
  }, DEADLINE_MS);
  deadline.unref();

  console.log(`(a) ${SESSIONS} concurrent sessions, ${MEMORY_ROUNDS} rounds alternating which side goes first, fresh processes each ...`);
  const memoryRounds: Record<Kind, MemoryFigures>[] = [];
  for (let r = 0; r < MEMORY_ROUNDS; r++) {
    const order: Kind[] = r % 2 === 0 ? ['ws', 'gateway'] : ['gateway', 'ws'];
    const result = {} as Record<Kind, MemoryFigures>;
    for (const kind of order) result[kind] = await memoryPerSession(kind);
    memoryRounds.push(result);
    console.log(`  round ${r + 1}: heap + external per session gateway ${round(result.gateway.heapExternalBytes)} B, ws ${round(result.ws.heapExternalBytes)} B; RSS gateway ${round(result.gateway.rssBytes)} B, ws ${round(result.ws.rssBytes)} B`);
  }

  console.log(`(b) ${RELAY_CLIENTS} clients in ${CLIENT_PROCESSES} processes, ${ROUNDS} rounds alternating which side goes first ...`);
  const pairs = { ws: await startPair('ws'), gateway: await startPair('gateway') };
  await Promise.all([open(pairs.ws, RELAY_CLIENTS), open(pairs.gateway, RELAY_CLIENTS)]);
  console.log("  sessions open; warm-up bursts ...");
  // A warm-up burst each (JIT, buffers), not counted.
  await burst(pairs.ws);
  await burst(pairs.gateway);
  const rounds: { ws: Awaited<ReturnType<typeof burst>>; gateway: Awaited<ReturnType<typeof burst>> }[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const order: Kind[] = r % 2 === 0 ? ['ws', 'gateway'] : ['gateway', 'ws'];
    const result = {} as (typeof rounds)[number];
    for (const kind of order) result[kind] = await burst(pairs[kind]);
    rounds.push(result);
    console.log(`  round ${r + 1}: CPU µs/message gateway ${round(result.gateway.cpuUsPerMessage, 2)}, ws ${round(result.ws.cpuUsPerMessage, 2)}`);
  }
  await Promise.all([stopPair(pairs.ws), stopPair(pairs.gateway)]);

  const cpuRatios = rounds.map((r) => r.gateway.cpuUsPerMessage / r.ws.cpuUsPerMessage);
  const rateRatios = rounds.map((r) => r.gateway.messagesPerSec / r.ws.messagesPerSec);
  const median = (values: number[]) => spread(values).median;
  const memoryRow = (figure: string, field: MemoryField, target: string) => ({
    figure: `${figure} (ratio min / median / max of ${MEMORY_ROUNDS} rounds)`,
    gateway: round(median(memoryRounds.map((r) => r.gateway[field]))),
    ws: round(median(memoryRounds.map((r) => r.ws[field]))),
    ratio: spreadText(memoryRounds.map((r) => r.gateway[field] / r.ws[field])),
    target,
  });
  const rows = [
    {
      figure: `(b) server CPU per relayed message (µs; ratio min / median / max of ${ROUNDS} rounds)`,
      gateway: round(median(rounds.map((r) => r.gateway.cpuUsPerMessage)), 2),
      ws: round(median(rounds.map((r) => r.ws.cpuUsPerMessage)), 2),
      ratio: spreadText(cpuRatios),
      target: 'median <= 1.5',
    },
    {
      figure: `(b) messages/s at the clients, ${RELAY_CLIENTS} clients (ratio min / median / max)`,
      gateway: round(median(rounds.map((r) => r.gateway.messagesPerSec))),
      ws: round(median(rounds.map((r) => r.ws.messagesPerSec))),
      ratio: spreadText(rateRatios),
      target: '',
    },
    memoryRow(`(a) RSS per session, ${SESSIONS / 2} -> ${SESSIONS} open (bytes)`, 'rssBytes', '<= 2'),
    memoryRow('(a) heap + external per session (bytes)', 'heapExternalBytes', '<= 2'),
    memoryRow('(a) JS heap per session (bytes)', 'heapBytes', ''),
    memoryRow('(a) sessions opened per second', 'openPerSec', ''),
  ];
  report('gateway', rows, {
    sessions: SESSIONS,
    relayClients: RELAY_CLIENTS,
    clientProcesses: CLIENT_PROCESSES,
    messagesPerClientPerBurst: MESSAGES_PER_CLIENT,
    rounds,
    cpuRatio: spread(cpuRatios),
    rateRatio: spread(rateRatios),
    memoryRounds,
    notes: 'See bench/README.md. CPU: the server process\'s user + system time from release to the last frame counted at the clients, per message.',
  });
  clearTimeout(deadline);
}

main().catch((error: unknown) => {
  console.error(error);
  for (const child of children) child.kill('SIGKILL');
  process.exit(1);
});
