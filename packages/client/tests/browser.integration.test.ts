/**
 * The client in a real browser: Debian's Chromium, driven by playwright-core, loads the client bundled by
 * esbuild for the browser (@dfinity/* included) from a loopback HTTP server, and runs one IcWebSocket session
 * through a real gateway to the ws-chat canister on ic-ws-devnet: open, send, receive (an echo and a push),
 * close; certificates are verified by the WebAssembly BLS verifier, loaded by the page as a separate chunk.
 * Nothing is skipped: without Chromium the test fails and says how to install it.
 */
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { HttpAgent } from '@dfinity/agent';
import { build } from 'esbuild';
import { cborDecode } from 'ic-ws-protocol';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PageConfig, PageResult } from './browser/page-client';
import { withDeadline } from './support/client-recorder';
import { TestNetwork } from './support/test-network';
// The one Chromium launcher of the repo (Debian's chromium, loopback-only flags, a clear error when missing).
import { launchChromium } from '../../../tests/e2e/support/launch-chromium';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

let net: TestNetwork;
let gatewayUrl: string;
let server: Server;
let pageUrl: string;
let browser: Browser;

/**
 * The page script bundled the way an app's bundler would: browser platform, ESM with code splitting (so the
 * WebAssembly BLS verifier is a chunk of its own, loaded on demand as in an app), workspace packages from
 * source. Returns each output file by its path under the server's root.
 */
async function bundlePage(): Promise<Map<string, string>> {
  const result = await build({
    entryPoints: { page: source('./browser/page-client.ts') },
    bundle: true,
    splitting: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    outdir: '/',
    write: false,
    logLevel: 'silent',
    alias: {
      'ic-ws-client': source('../src/index.ts'),
      'ic-ws-protocol': source('../../protocol/src/index.ts'),
    },
  });
  return new Map(result.outputFiles.map((file) => [file.path, file.text]));
}

async function serve(files: Map<string, string>): Promise<void> {
  server = createServer((request, response) => {
    const script = files.get(request.url ?? '');
    if (script !== undefined) {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    } else if (request.url === '/') {
      response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>ic-ws</title><script type="module" src="/page.js"></script>');
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  pageUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
}

beforeAll(async () => {
  // Mainnet-shaped certificates: every certificate the page verifies carries the root key's delegation.
  const [started, bundle] = await Promise.all([TestNetwork.start({ delegatedCertificates: true }), bundlePage()]);
  net = started;
  gatewayUrl = (await net.startGateway()).url;
  await serve(bundle);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  await net?.close();
});

describe('IcWebSocket in Chromium', () => {
  it('opens, sends, receives and closes from a page, verifying everything in the browser', async () => {
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.exposeFunction('askTest', (request: string) => {
      if (request !== 'broadcast') throw new Error(`unknown request ${request}`);
      return net.chat.broadcast({ text: 'pushed by the canister', count: 3, tags: ['push'] });
    });
    await page.goto(pageUrl);
    await page.waitForFunction(() => typeof window.runIcWebSocket === 'function');
    const config: PageConfig = {
      gatewayUrl,
      canisterId: net.canisterId.toText(),
      networkUrl: net.devnet.url,
      rootKeyHex: Buffer.from(net.devnet.rootKey).toString('hex'),
    };
    const result: PageResult = await withDeadline(
      page.evaluate((c) => window.runIcWebSocket(c), config),
      'the page to finish its IcWebSocket session',
    );

    expect(pageErrors).toEqual([]);
    // What the page verified were mainnet-shaped certificates: each carries the root key's delegation.
    const reader = await HttpAgent.create({ host: net.devnet.url, rootKey: net.devnet.rootKey });
    const { certificate } = await reader.readState(net.canisterId, { paths: [[new TextEncoder().encode('time')]] });
    expect((cborDecode(new Uint8Array(certificate)) as Map<string, unknown>).has('delegation')).toBe(true);
    expect(result.usedPlatformWebSocket).toBe(true);
    // Certificates were verified by the WebAssembly verifier, loaded as its own chunk, not by the fallback.
    expect(result.blsVerifier).toEqual({ kind: 'wasm' });
    expect(result.loadedScripts.some((url) => url !== '/page.js')).toBe(true);
    expect(result.openGatewayUrl).toBe(gatewayUrl);
    expect(result.received).toEqual([
      { text: 'echo:from chromium', count: 11, tags: ['browser', 'echoed'] },
      { text: 'pushed by the canister', count: 3, tags: ['push'] },
    ]);
    expect(result.close).toEqual({ code: 1000, wasClean: true, reason: 'closed by the application', error: null });
    expect(result.errors).toEqual([]);
    // The canister saw the page's own identity, and the close reached it through the gateway's ws_close.
    await expect
      .poll(
        async () =>
          (await net.chat.closedClients()).find(
            (entry) => entry.client_key.client_principal.toText() === result.principal && entry.client_key.client_nonce.toString() === result.clientNonce,
          )?.reason,
        { timeout: 15_000 },
      )
      .toBe('ClosedByGateway');
    await page.close();
  });
});
