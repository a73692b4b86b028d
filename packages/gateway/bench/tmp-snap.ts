import { writeHeapSnapshot } from 'node:v8';
import { pino } from 'pino';
import { WebSocket } from 'ws';
import { NodeEd25519Identity } from '../src/ic/node-ed25519-identity';
import { startGateway } from '../src/start-gateway';
import { openFrame, testCanisterId, testPrincipal } from '../src/testing/client-frames';
import { BenchIc } from './bench-ic';

const identity = NodeEd25519Identity.generate();
const gp = identity.getPrincipal();
const ic = new BenchIc(() => gp, { maxPerPoll: 100, longPoll: false });
const gw = await startGateway({ listen: '127.0.0.1:0', adminListen: '', identity, ic, logger: pino({ level: 'silent' }), pollingIntervalMs: 5, openTimeoutMs: 3600000, pingIntervalMs: 3600000 });
const N = 1000;
const socks: WebSocket[] = [];
for (let i = 0; i < N; i++) {
  await new Promise<void>((resolve) => {
    const ws = new WebSocket(gw.url);
    let n = 0;
    ws.on('message', () => { n++; if (n === 1) ws.send(openFrame(testCanisterId(1), { client_principal: testPrincipal(i % 256), client_nonce: BigInt(i) }, gp)); if (n === 2) resolve(); });
    socks.push(ws);
  });
}
(globalThis as any).gc?.();
console.log(writeHeapSnapshot('/tmp/gw.heapsnapshot'));
process.exit(0);
