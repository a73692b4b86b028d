/**
 * The minimal app as a user runs it: the canister built by azle (as `npm run build` builds it) on a devnet,
 * a gateway, and `npm start -- <text>` against them. The canister's echo reaches the client only after the
 * client verified its certificate.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { buildCanisters, startDevnet, type Devnet } from 'ic-ws-devnet';
import { NodeEd25519Identity, startGateway, type GatewayHandle } from 'ic-ws-gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const projectDir = fileURLToPath(new URL('..', import.meta.url));
let devnet: Devnet;
let gateway: GatewayHandle;
let canisterId: string;

/** `npm start -- <args>` in this project, with the environment naming where to connect. */
function npmStart(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['start', '--', ...args], { cwd: projectDir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  const [minimal] = await buildCanisters({ projectDir, canisters: ['minimal'] });
  devnet = await startDevnet();
  canisterId = (await devnet.install({ wasm: new Uint8Array(await readFile(minimal!.wasmPath)) })).toText();
  gateway = await startGateway({ listen: '127.0.0.1:0', adminListen: '', icUrl: devnet.url, identity: NodeEd25519Identity.generate(), logLevel: 'silent' });
});

afterAll(async () => {
  await gateway?.close();
  await devnet?.close();
});

describe('the minimal app', () => {
  it('echoes a message through the gateway, verified by the client', async () => {
    const { code, stdout, stderr } = await npmStart(['hi there'], { IC_WS_GATEWAY_URL: gateway.url, IC_WS_NETWORK_URL: devnet.url, IC_WS_CANISTER_ID: canisterId });
    expect(stderr).not.toContain('minimal:');
    expect(code).toBe(0);
    expect(stdout).toContain(`connected to ${canisterId}`);
    expect(stdout).toMatch(/^received \(verified\): echo: hi there$/m);
  });

  it('says what to start when there is nothing to connect to, with exit status 1', async () => {
    // No variables, and no .ic-ws/dev.json naming a `minimal` canister (no `npm run dev` of this project runs).
    const { code, stderr } = await npmStart([], { IC_WS_GATEWAY_URL: '', IC_WS_NETWORK_URL: '', IC_WS_CANISTER_ID: '' });
    expect(code).toBe(1);
    expect(stderr).toContain('minimal: start `npm run dev` first');
  });
});
