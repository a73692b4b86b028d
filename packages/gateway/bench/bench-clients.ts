/**
 * Child process of the gateway benchmark: a share of the WebSocket clients, apart from the server's process
 * (several of these run at once, so one process's capacity does not cap the server). Against the gateway each
 * client opens a session for real (handshake, a `ws_open` request frame, the canister's OpenMessage); against
 * the raw `ws` server it waits for the same handshake frame. Then it counts canister frames.
 * Usage: `node --import tsx bench/bench-clients.ts <gateway|ws> <url> <gatewayPrincipal>`.
 */
import { Principal } from '@dfinity/principal';
import { WebSocket } from 'ws';
import { openFrame, testCanisterId } from '../src/testing/client-frames';
import { benchClientKey } from './bench-ic';
import type { ClientsCommand, ClientsEvent } from './bench-protocol';

const [kind, url, gatewayText] = process.argv.slice(2) as [string, string, string];
const gatewayPrincipal = Principal.fromText(gatewayText);
const canisterId = testCanisterId(1);
const OPEN_CONCURRENCY = 100;

const post = (event: ClientsEvent) => process.send!(event);
const sockets: WebSocket[] = [];
let onFrame: () => void = () => {};

function openOne(index: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    let frames = 0;
    ws.on('error', reject);
    ws.on('message', () => {
      frames += 1;
      if (frames === 1) {
        if (kind === 'ws') return resolve();
        ws.send(openFrame(canisterId, benchClientKey(index), gatewayPrincipal));
        return;
      }
      if (frames === 2 && kind === 'gateway') return resolve();
      onFrame();
    });
    sockets.push(ws);
  });
}

async function openAll(first: number, count: number): Promise<void> {
  const started = performance.now();
  let next = first;
  const end = first + count;
  const worker = async () => {
    while (next < end) await openOne(next++);
  };
  await Promise.all(Array.from({ length: OPEN_CONCURRENCY }, worker));
  post({ type: 'opened', count: sockets.length, ms: performance.now() - started });
}

process.on('message', (command: ClientsCommand) => {
  switch (command.cmd) {
    case 'open':
      void openAll(command.first, command.count);
      break;
    case 'count': {
      let received = 0;
      onFrame = () => {
        received += 1;
        if (received === command.total) post({ type: 'counted', total: received });
      };
      post({ type: 'counting' });
      break;
    }
    case 'exit':
      for (const ws of sockets) ws.terminate();
      process.exit(0);
  }
});
post({ type: 'ready' });
