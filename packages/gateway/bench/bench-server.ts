/**
 * Child process of the gateway benchmark: one WebSocket server, either the gateway (`startGateway` with the
 * stub IC of bench-ic.ts) or a raw `ws` server sending the same frames, driven over IPC by
 * gateway.bench.ts. Runs alone in its process so its memory can be measured apart from the clients'.
 * Usage: `node --expose-gc --import tsx bench/bench-server.ts <gateway|ws>`.
 */
import type { Principal } from '@dfinity/principal';
import { encodeCanisterMessageFrame, encodeHandshakeFrame, formatOutgoingKey } from 'ic-ws-protocol';
import { pino } from 'pino';
import { WebSocket, WebSocketServer } from 'ws';
import { NodeEd25519Identity } from '../src/ic/node-ed25519-identity';
import { startGateway } from '../src/start-gateway';
import { BenchIc, benchClientKey, benchMessageContent, filler } from './bench-ic';
import type { ServerCommand, ServerEvent } from './bench-protocol';

const PAYLOAD = filler(64, 3);
const MAX_PER_POLL = 100;

/** What either server does for the orchestrator. */
interface BenchServer {
  url: string;
  gatewayPrincipal: Principal;
  /** Queues `perClient` messages for every client without sending them yet. */
  prepareBurst(perClient: number): number;
  /** Sends what `prepareBurst` queued. */
  releaseBurst(): void;
  /** Sends one message to client `index`, stamped with the monotonic clock when it leaves the "IC". */
  sendStamped(index: number): void;
  clients(): number;
}

async function gatewayServer(): Promise<BenchServer> {
  const identity = NodeEd25519Identity.generate();
  const gatewayPrincipal = identity.getPrincipal();
  const ic = new BenchIc(() => gatewayPrincipal, { maxPerPoll: MAX_PER_POLL, longPoll: false });
  const gateway = await startGateway({
    listen: '127.0.0.1:0',
    adminListen: '',
    identity,
    ic,
    logger: pino({ level: 'silent' }),
    pollingIntervalMs: 2,
    maxConnections: 50_000,
    openTimeoutMs: 3_600_000,
    pingIntervalMs: 3_600_000,
    icRequestTimeoutMs: 3_600_000,
  });
  return {
    url: gateway.url,
    gatewayPrincipal,
    prepareBurst(perClient) {
      ic.longPoll = false;
      ic.hold();
      for (let round = 0; round < perClient; round++) for (let i = 0; i < ic.clientCount; i++) ic.push(benchClientKey(i), 0n, PAYLOAD);
      return perClient * ic.clientCount;
    },
    releaseBurst: () => ic.release(),
    sendStamped(index) {
      // A waiting long poll returns at once with this message: the stamp is when the gateway gets the reply.
      ic.longPoll = true;
      ic.push(benchClientKey(index % ic.clientCount), process.hrtime.bigint(), PAYLOAD);
    },
    clients: () => ic.clientCount,
  };
}

async function wsServer(): Promise<BenchServer> {
  const gatewayPrincipal = NodeEd25519Identity.generate().getPrincipal();
  const handshake = encodeHandshakeFrame({ gateway_principal: gatewayPrincipal });
  const cert = filler(1_300, 1);
  const tree = filler(220, 2);
  const sockets: WebSocket[] = [];
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, clientTracking: false, maxPayload: 2 * 1024 * 1024 });
  wss.on('connection', (ws) => {
    sockets.push(ws);
    ws.send(handshake);
  });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  const address = wss.address() as { port: number };
  let nonce = 0n;
  const frame = (index: number, timestamp: bigint) =>
    encodeCanisterMessageFrame({
      key: formatOutgoingKey(gatewayPrincipal, nonce++),
      content: benchMessageContent(benchClientKey(index), nonce, timestamp, PAYLOAD),
      cert,
      tree,
    });
  let burst: { socket: WebSocket; frame: Uint8Array }[] = [];
  return {
    url: `ws://127.0.0.1:${address.port}`,
    gatewayPrincipal,
    prepareBurst(perClient) {
      burst = [];
      for (let round = 0; round < perClient; round++) for (let i = 0; i < sockets.length; i++) burst.push({ socket: sockets[i]!, frame: frame(i, 0n) });
      return burst.length;
    },
    releaseBurst() {
      // In slices of one poll reply per event-loop turn, as the gateway gets them.
      let next = 0;
      const sendSlice = () => {
        const end = Math.min(burst.length, next + MAX_PER_POLL);
        for (; next < end; next++) burst[next]!.socket.send(burst[next]!.frame);
        if (next < burst.length) setImmediate(sendSlice);
      };
      sendSlice();
    },
    sendStamped(index) {
      sockets[index % sockets.length]!.send(frame(index, process.hrtime.bigint()));
    },
    clients: () => sockets.length,
  };
}

async function measureMemory(): Promise<NodeJS.MemoryUsage> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with --expose-gc');
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage();
}

const post = (event: ServerEvent) => process.send!(event);

async function main(): Promise<void> {
  const kind = process.argv[2];
  if (kind !== 'gateway' && kind !== 'ws') throw new Error(`usage: bench-server.ts <gateway|ws>, got ${kind}`);
  const server = kind === 'gateway' ? await gatewayServer() : await wsServer();
  process.on('message', (command: ServerCommand) => {
    void (async () => {
      switch (command.cmd) {
        case 'memory':
          post({ type: 'memory', clients: server.clients(), usage: await measureMemory() });
          break;
        case 'prepare-burst':
          post({ type: 'burst-prepared', total: server.prepareBurst(command.perClient) });
          break;
        case 'release-burst':
          server.releaseBurst();
          break;
        case 'stamped':
          for (let i = 0; i < command.count; i++) {
            server.sendStamped(i);
            await new Promise((resolve) => setTimeout(resolve, command.gapMs));
          }
          break;
        case 'exit':
          process.exit(0);
      }
    })();
  });
  post({ type: 'ready', url: server.url, gatewayPrincipal: server.gatewayPrincipal.toText() });
}

void main();
