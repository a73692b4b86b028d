/**
 * Acceptance: the ping-pong example standalone. The test starts its own devnet (running the real canister
 * wasm) and gateway on free ports, then runs the client exactly as a user does (`npm start -- --pings 100`)
 * and checks every round trip and the summary are printed and the canister saw every ping and the close.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Principal } from '@dfinity/principal';
import { startDevnet, type Devnet } from 'ic-ws-devnet';
import { NodeEd25519Identity, startGateway, type GatewayHandle } from 'ic-ws-gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPingPong, pingPongStatsActor, type PingPongStatsActor } from './support/ping-pong-canister';

const exampleDir = fileURLToPath(new URL('..', import.meta.url));
let devnet: Devnet;
let gateway: GatewayHandle;
let canisterId: Principal;
let stats: PingPongStatsActor;

/** Runs `npm start -- <args>` in the example, as a user does, and collects its output. */
function npmStart(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['start', '--', ...args], { cwd: exampleDir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  const wasm = await buildPingPong();
  devnet = await startDevnet();
  canisterId = await devnet.install({ wasm });
  gateway = await startGateway({
    listen: '127.0.0.1:0',
    adminListen: '',
    icUrl: devnet.url,
    identity: NodeEd25519Identity.generate(),
    logLevel: 'silent',
  });
  stats = await pingPongStatsActor(devnet.url, canisterId);
});

afterAll(async () => {
  await gateway?.close();
  await devnet?.close();
});

describe('ping-pong against a devnet and gateway of its own', () => {
  it('completes 100 pings, printing every round trip and the median and p99, and closes cleanly', async () => {
    const args = ['--pings', '100', '--gateway-url', gateway.url, '--network-url', devnet.url, '--canister-id', canisterId.toText()];
    const { code, stdout, stderr } = await npmStart(args);
    expect(stderr).not.toMatch(/ping-pong failed/);
    expect(code).toBe(0);

    const rtts = [...stdout.matchAll(/^pong (\d+)\/100: (\d+\.\d) ms$/gm)];
    expect(rtts.map((m) => Number(m[1]))).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    const summary = /^100 round trips: median (\d+\.\d) ms, p99 (\d+\.\d) ms \(min (\d+\.\d), mean (\d+\.\d), max (\d+\.\d)\)$/m.exec(stdout);
    expect(summary).not.toBeNull();
    const [median, p99, min, , max] = summary!.slice(1).map(Number) as [number, number, number, number, number];
    expect(min).toBeGreaterThan(0);
    expect(min).toBeLessThanOrEqual(median);
    expect(median).toBeLessThanOrEqual(p99);
    expect(p99).toBeLessThanOrEqual(max);
    // The printed figures are those of the printed round trips.
    const printed = rtts.map((m) => Number(m[2])).sort((a, b) => a - b);
    expect(printed[49]).toBe(median);
    expect(printed[98]).toBe(p99);
    console.log(summary![0]);

    // The canister answered every ping, and the client's close reached it as ws_close.
    await expect.poll(() => stats.stats(), { timeout: 10_000 }).toEqual({ clients: 0, pongs: 100 });
  });

  it('fails with OPEN_FAILED and exit code 1 when no gateway listens', async () => {
    const port = await closedPort();
    const { code, stderr } = await npmStart(['--pings', '1', '--gateway-url', `ws://127.0.0.1:${port}`, '--network-url', devnet.url, '--canister-id', canisterId.toText()]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/ping-pong failed \[OPEN_FAILED\]/);
  });
});
