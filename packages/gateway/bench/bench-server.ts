/**
 * Child process of the gateway benchmark: one WebSocket server, either the gateway (`startGateway` with the
 * stub IC of bench-ic.ts) or a raw `ws` server sending the same frames, driven over IPC by gateway.bench.ts.
 * Runs alone in its process, so its memory and CPU time are measured apart from the clients'.
 * Usage: `node --expose-gc --import tsx bench/bench-server.ts <gateway|ws>`.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import type { Principal } from '@dfinity/principal';
import { CanisterFrameEncoder, encodeHandshakeFrame, formatOutgoingKey, type CanisterOutputMessage } from 'ic-ws-protocol';
import { pino } from 'pino';
import { WebSocket, WebSocketServer } from 'ws';
// The gateway as users run it: its built package (bench/tsconfig.dist.json makes this resolve to dist/).
import { NodeEd25519Identity, startGateway } from 'ic-ws-gateway';
import { BENCH_CERT_BYTES, BENCH_TREE_BYTES, BenchIc, MESSAGES_PER_POLL, benchClientKey, benchMessageContent, filler } from './bench-ic';
import type { ServerCommand, ServerEvent } from './bench-protocol';

const PAYLOAD = filler(64, 3);

/** What either server does for the orchestrator. */
interface BenchServer {
  url: string;
  gatewayPrincipal: Principal;
  /** Queues `perClient` messages for every client, ready to send, without sending them yet. */
  prepareBurst(perClient: number): number;
  /** Sends what `prepareBurst` queued. */
  releaseBurst(): void;
  clients(): number;
}

async function gatewayServer(): Promise<BenchServer> {
  const identity = NodeEd25519Identity.generate();
  const gatewayPrincipal = identity.getPrincipal();
  const ic = new BenchIc(() => gatewayPrincipal, { longPoll: false });
  const gateway = await startGateway({
    listen: '127.0.0.1:0',
    adminListen: '',
    identity,
    ic,
    logger: pino({ level: 'silent' }),
    pollingIntervalMs: 5,
    // This bench measures relaying, not idling: the stub's queue stays empty while a burst is prepared, and
    // the idle backoff would make the burst wait for a backed-off poll (idle.bench.ts measures the backoff).
    maxIdlePollingIntervalMs: 5,
    maxConnections: 50_000,
    openTimeoutMs: 3_600_000,
    pingIntervalMs: 3_600_000,
    icRequestTimeoutMs: 3_600_000,
  });
  return {
    url: gateway.url,
    gatewayPrincipal,
    prepareBurst(perClient) {
      ic.hold();
      for (let round = 0; round < perClient; round++) for (let i = 0; i < ic.clientCount; i++) ic.push(benchClientKey(i), 0n, PAYLOAD);
      ic.encodeAhead();
      return perClient * ic.clientCount;
    },
    releaseBurst: () => ic.release(),
    clients: () => ic.clientCount,
  };
}

/**
 * A plain `ws` server sending the gateway's frames: per poll reply's worth of messages (`MESSAGES_PER_POLL`),
 * it builds the frames with the same encoder the gateway uses, then sends each to its socket with
 * `ws.send`, one slice per event-loop turn, as the gateway gets one reply per poll.
 */
async function wsServer(): Promise<BenchServer> {
  const gatewayPrincipal = NodeEd25519Identity.generate().getPrincipal();
  const handshake = encodeHandshakeFrame({ gateway_principal: gatewayPrincipal });
  const cert = filler(BENCH_CERT_BYTES, 1);
  const tree = filler(BENCH_TREE_BYTES, 2);
  const sockets: WebSocket[] = [];
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, clientTracking: false, maxPayload: 2 * 1024 * 1024 });
  wss.on('connection', (ws) => {
    sockets.push(ws);
    ws.send(handshake);
  });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  const address = wss.address() as { port: number };
  let nonce = 0n;
  let burst: { socket: WebSocket; message: CanisterOutputMessage }[] = [];
  return {
    url: `ws://127.0.0.1:${address.port}`,
    gatewayPrincipal,
    prepareBurst(perClient) {
      burst = [];
      for (let round = 0; round < perClient; round++) {
        for (let i = 0; i < sockets.length; i++) {
          const clientKey = benchClientKey(i);
          const message = { client_key: clientKey, key: formatOutgoingKey(gatewayPrincipal, nonce++), content: benchMessageContent(clientKey, BigInt(round + 2), 0n, PAYLOAD) };
          burst.push({ socket: sockets[i]!, message });
        }
      }
      return burst.length;
    },
    releaseBurst() {
      let next = 0;
      const sendSlice = () => {
        const slice = burst.slice(next, next + MESSAGES_PER_POLL);
        const frames = new CanisterFrameEncoder(cert, tree).encodeAll(slice.map((entry) => entry.message));
        slice.forEach((entry, i) => entry.socket.send(frames[i]!));
        next += slice.length;
        if (next < burst.length) setImmediate(sendSlice);
      };
      sendSlice();
    },
    clients: () => sockets.length,
  };
}

/** Heap, external buffers and RSS after a full GC (the process runs with `--expose-gc`). */
async function measureMemory(): Promise<NodeJS.MemoryUsage> {
  for (let i = 0; i < 3; i++) {
    globalThis.gc?.();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage();
}

const post = (event: ServerEvent) => process.send!(event);

/**
 * BENCH_CPU_PROF=<dir>: a V8 CPU profile of each timed burst (release to the last frame counted) is written
 * there, so a profile shows the server's work only, not the burst's preparation.
 */
const profileDir = process.env.BENCH_CPU_PROF;
const snapshotDir = process.env.BENCH_HEAP_SNAPSHOT;
const inspector = profileDir === undefined ? undefined : new Session();
inspector?.connect();
let profiles = 0;

async function main(): Promise<void> {
  const kind = process.argv[2];
  const server = kind === 'gateway' ? await gatewayServer() : await wsServer();
  let cpuAtRelease = process.cpuUsage();
  process.on('message', (command: ServerCommand) => {
    void (async () => {
      switch (command.cmd) {
        case 'memory': {
          const usage = await measureMemory();
          // BENCH_HEAP_SNAPSHOT=<dir>: a heap snapshot at each measurement, to see what a session is made of.
          if (snapshotDir) writeHeapSnapshot(join(snapshotDir, `${kind}-${process.pid}-${server.clients()}.heapsnapshot`));
          post({ type: 'memory', clients: server.clients(), usage });
          break;
        }
        case 'prepare-burst':
          post({ type: 'burst-prepared', total: server.prepareBurst(command.perClient) });
          break;
        case 'release-burst':
          // Everything the burst needs is ready: from here on, the process's CPU time is the server's work.
          globalThis.gc?.();
          if (inspector) await inspector.post('Profiler.enable').then(() => inspector.post('Profiler.start'));
          cpuAtRelease = process.cpuUsage();
          server.releaseBurst();
          break;
        case 'cpu': {
          const spent = process.cpuUsage(cpuAtRelease);
          if (inspector && profileDir) {
            const { profile } = await inspector.post('Profiler.stop');
            writeFileSync(join(profileDir, `${process.argv[2]}-${process.pid}-${++profiles}.cpuprofile`), JSON.stringify(profile));
          }
          post({ type: 'cpu', userUs: spent.user, systemUs: spent.system });
          break;
        }
        case 'exit':
          process.exit(0);
      }
    })();
  });
  post({ type: 'ready', url: server.url, gatewayPrincipal: server.gatewayPrincipal.toText() });
}

void main();
