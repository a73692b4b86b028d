/**
 * Child process of the gateway benchmark: many WebSocket clients in one process, apart from the server's.
 * Against the gateway each client opens a session for real (handshake, a `ws_open` request frame, the
 * canister's OpenMessage); against the raw `ws` server it waits for the same handshake frame. Then it counts
 * frames (throughput) or decodes their monotonic timestamps (latency).
 * Usage: `node --import tsx bench/bench-clients.ts <gateway|ws> <url> <gatewayPrincipal>`.
 */
import { Principal } from '@dfinity/principal';
import { decodeCanisterMessageFrame, decodeWebsocketMessage } from 'ic-ws-protocol';
import { WebSocket } from 'ws';
import { openFrame, testCanisterId } from '../src/testing/client-frames';
import { benchClientKey } from './bench-ic';
import type { ClientsCommand, ClientsEvent } from './bench-protocol';

const [kind, url, gatewayText] = process.argv.slice(2) as [string, string, string];
const gatewayPrincipal = Principal.fromText(gatewayText);
const canisterId = testCanisterId(1);
const OPEN_CONCURRENCY = 200;

const post = (event: ClientsEvent) => process.send!(event);
const sockets: WebSocket[] = [];
let onFrame: (data: Buffer) => void = () => {};

function openOne(index: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    let frames = 0;
    ws.on('error', reject);
    ws.on('message', (data: Buffer) => {
      frames += 1;
      if (frames === 1) {
        if (kind === 'ws') return resolve();
        ws.send(openFrame(canisterId, benchClientKey(index), gatewayPrincipal));
        return;
      }
      if (frames === 2 && kind === 'gateway') return resolve();
      onFrame(data);
    });
    sockets.push(ws);
  });
}

async function openAll(count: number): Promise<void> {
  const started = performance.now();
  let next = sockets.length;
  const target = sockets.length + count;
  const worker = async () => {
    while (next < target) await openOne(next++);
  };
  await Promise.all(Array.from({ length: OPEN_CONCURRENCY }, worker));
  post({ type: 'opened', count: sockets.length, ms: performance.now() - started });
}

process.on('message', (command: ClientsCommand) => {
  switch (command.cmd) {
    case 'open':
      void openAll(command.count);
      break;
    case 'count': {
      let received = 0;
      const started = performance.now();
      onFrame = () => {
        received += 1;
        if (received === command.total) post({ type: 'counted', total: received, ms: performance.now() - started });
      };
      post({ type: 'counting' });
      break;
    }
    case 'latency': {
      const samplesUs: number[] = [];
      onFrame = (data) => {
        const sent = decodeWebsocketMessage(decodeCanisterMessageFrame(new Uint8Array(data)).content).timestamp;
        samplesUs.push(Number(process.hrtime.bigint() - sent) / 1000);
        if (samplesUs.length === command.total) post({ type: 'latencies', samplesUs });
      };
      post({ type: 'counting' });
      break;
    }
    case 'memory':
      post({ type: 'memory', usage: process.memoryUsage() });
      break;
    case 'exit':
      for (const ws of sockets) ws.terminate();
      process.exit(0);
  }
});
post({ type: 'ready' });
