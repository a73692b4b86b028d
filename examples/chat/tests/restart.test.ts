/**
 * The chat survives its local IC restarting: `ic-ws-devnet --state-dir` in its own process, ic-ws-gateway and
 * IcWebSocket clients posting through it. After a graceful stop, and after a `kill -9` in the middle of a
 * stream of posts, the devnet started again on the same directory serves the same canister (same id, same
 * root key: a client given the first run's key verifies everything) and welcomes a new client with the
 * history, every post it had acknowledged included.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { IcWebSocket } from 'ic-ws-client';
import { buildCanisters } from 'ic-ws-devnet';
import { startGateway, type GatewayHandle } from 'ic-ws-gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatMessageIdl, type ChatEntry, type ChatMessage } from '../src/shared/chat-message';

const PROJECT = fileURLToPath(new URL('..', import.meta.url));
const DEVNET_BIN = join(dirname(createRequire(import.meta.url).resolve('ic-ws-devnet/package.json')), 'bin', 'ic-ws-devnet.js');
const gatewayIdentity = Ed25519KeyIdentity.generate();
let work: string;
let wasmPath: string;
const running: { devnet?: ChildProcess; gateway?: GatewayHandle; clients: IcWebSocket<ChatMessage>[] } = { clients: [] };

interface Ready {
  url: string;
  rootKey: string;
  canisters: Record<string, string>;
}

/** `ic-ws-devnet --state-dir <work>/state --install chat.wasm`, and its ready line. */
async function startDevnetProcess(): Promise<{ child: ChildProcess; ready: Ready; stderr: () => string }> {
  const child = spawn(process.execPath, [DEVNET_BIN, '--port', '0', '--state-dir', join(work, 'state'), '--install', wasmPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.devnet = child;
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [line] = (await Promise.race([
    once(createInterface({ input: child.stdout! }), 'line'),
    once(child, 'exit').then(([code]) => Promise.reject(new Error(`ic-ws-devnet exited with ${String(code)}: ${stderr}`))),
  ])) as [string];
  return { child, ready: JSON.parse(line) as Ready, stderr: () => stderr };
}

async function startChatGateway(icUrl: string): Promise<GatewayHandle> {
  const gateway = await startGateway({ listen: '127.0.0.1:0', adminListen: '', icUrl, identity: gatewayIdentity, logLevel: 'silent', pollingIntervalMs: 20 });
  running.gateway = gateway;
  return gateway;
}

/** A chat client verifying against `rootKeyHex` (not fetched), recording what the canister sends it. */
function chatClient(gatewayUrl: string, ready: Ready, rootKeyHex: string) {
  const ws = new IcWebSocket<ChatMessage>({
    gatewayUrl,
    canisterId: ready.canisters['chat.wasm'] as string,
    networkUrl: ready.url,
    rootKey: Uint8Array.from(Buffer.from(rootKeyHex, 'hex')),
    identity: Ed25519KeyIdentity.generate(),
    appMessageIdl: ChatMessageIdl,
    reconnect: false,
  });
  running.clients.push(ws);
  const welcome = new Promise<ChatEntry[]>((resolve) =>
    ws.addEventListener('message', (event) => {
      if ('Welcome' in event.data) resolve(event.data.Welcome.history);
    }),
  );
  const posted: string[] = [];
  ws.addEventListener('message', (event) => {
    if ('Posted' in event.data) posted.push(event.data.Posted.text);
  });
  /** Posts `text` and resolves once the canister broadcast it back (it is then certified and committed). */
  const post = (text: string) =>
    new Promise<void>((resolve, reject) => {
      const seen = () => {
        if (posted.includes(text)) {
          ws.removeEventListener('message', seen);
          resolve();
        }
      };
      ws.addEventListener('message', seen);
      ws.addEventListener('close', () => reject(new Error('closed')));
      ws.send({ Post: { text, client_sent_at_ms: BigInt(Date.now()) } });
    });
  return { ws, welcome, post };
}

async function stopGatewayAndClients(): Promise<void> {
  for (const ws of running.clients.splice(0)) ws.close();
  await running.gateway?.close();
  running.gateway = undefined;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'ic-ws-chat-restart-'));
  const [chat] = await buildCanisters({ projectDir: PROJECT, canisters: ['chat'] });
  wasmPath = join(work, 'chat.wasm');
  const { copyFileSync } = await import('node:fs');
  copyFileSync(chat!.wasmPath, wasmPath);
}, 300_000);

afterAll(async () => {
  await stopGatewayAndClients().catch(() => undefined);
  if (running.devnet?.exitCode === null) running.devnet.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

describe('the chat across devnet restarts on one state directory', () => {
  let first: Ready;
  const graceful = ['one', 'two', 'three', 'four', 'five'].map((word) => `before the restart: ${word}`);
  const acknowledged: string[] = [];

  it('keeps the canister and its history after a graceful stop', async () => {
    const run1 = await startDevnetProcess();
    first = run1.ready;
    const client = chatClient((await startChatGateway(first.url)).url, first, first.rootKey);
    await client.welcome;
    for (const text of graceful) await client.post(text);
    await stopGatewayAndClients();
    run1.child.kill('SIGTERM');
    expect((await once(run1.child, 'exit'))[0]).toBe(0);

    const run2 = await startDevnetProcess();
    expect(run2.ready.canisters).toEqual(first.canisters);
    expect(run2.ready.rootKey).toBe(first.rootKey);
    expect(run2.stderr()).toContain('unchanged chat.wasm');
    // The new client trusts the FIRST run's root key: everything it receives must verify against it.
    const newcomer = chatClient((await startChatGateway(run2.ready.url)).url, run2.ready, first.rootKey);
    expect((await newcomer.welcome).map((entry) => entry.text)).toEqual(graceful);

    // Then a stream of posts, each acknowledged (broadcast back) before the next, until kill -9.
    let killed = false;
    const stream = (async () => {
      for (let i = 0; !killed; i++) {
        const text = `stream ${i}`;
        try {
          await newcomer.post(text);
        } catch {
          return;
        }
        acknowledged.push(text);
      }
    })();
    while (acknowledged.length < 8) await new Promise((resolve) => setTimeout(resolve, 10));
    run2.child.kill('SIGKILL');
    killed = true;
    await once(run2.child, 'exit');
    await stopGatewayAndClients();
    await Promise.race([stream, new Promise((resolve) => setTimeout(resolve, 2_000))]);
  }, 300_000);

  it('has lost no acknowledged post after kill -9, and still verifies against the first root key', async () => {
    const run3 = await startDevnetProcess();
    expect(run3.ready.canisters).toEqual(first.canisters);
    expect(run3.ready.rootKey).toBe(first.rootKey);
    const client = chatClient((await startChatGateway(run3.ready.url)).url, run3.ready, first.rootKey);
    const history = (await client.welcome).map((entry) => entry.text);
    expect(history.slice(0, graceful.length)).toEqual(graceful);
    // Every acknowledged post is there, in order; a post in flight at the kill may or may not be.
    expect(history.slice(graceful.length, graceful.length + acknowledged.length)).toEqual(acknowledged);
    expect(history.length - graceful.length - acknowledged.length).toBeLessThanOrEqual(1);
    await client.post('after the crash');
    await stopGatewayAndClients();
    run3.child.kill('SIGTERM');
    expect((await once(run3.child, 'exit'))[0]).toBe(0);
  }, 300_000);
});
