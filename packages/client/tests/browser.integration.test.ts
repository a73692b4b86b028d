/**
 * The client in a real browser: Debian's Chromium, driven by playwright-core, loads the client bundled by
 * esbuild for the browser (@dfinity/* included) from a loopback HTTP server, and runs one IcWebSocket session
 * through a real gateway to the ws-chat canister on ic-ws-devnet: open, send, receive (an echo and a push),
 * close; certificates are verified by the WebAssembly BLS verifier, loaded by the page as a separate chunk.
 * Nothing is skipped: without Chromium the test fails and says how to install it.
 */
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { HttpAgent } from '@dfinity/agent';
import { cborDecode } from 'ic-ws-protocol';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxResumeResult, OutboxSendResult, PageConfig, PageResult } from './browser/page-client';
import { bundlePage, servePage } from './support/browser-page';
import { withDeadline } from './support/client-recorder';
import { HostileProxy } from './support/hostile-proxy';
import { TestNetwork } from './support/test-network';
// The one Chromium launcher of the repo (Debian's chromium, loopback-only flags, a clear error when missing).
import { launchChromium } from '../../../tests/e2e/support/launch-chromium';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

let net: TestNetwork;
let gatewayUrl: string;
let server: Server;
let pageUrl: string;
let browser: Browser;

beforeAll(async () => {
  // Mainnet-shaped certificates: every certificate the page verifies carries the root key's delegation.
  const [started, bundle] = await Promise.all([
    TestNetwork.start({ delegatedCertificates: true }),
    // Workspace packages from source.
    bundlePage(source('./browser/page-client.ts'), {
      'ic-ws-client': source('../src/index.ts'),
      'ic-ws-protocol': source('../../protocol/src/index.ts'),
    }),
  ]);
  net = started;
  gatewayUrl = (await net.startGateway()).url;
  ({ server, url: pageUrl } = await servePage(bundle, 'ic-ws'));
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

  /** The page's config for `url` as its gateway. */
  function pageConfig(url: string): PageConfig {
    return { gatewayUrl: url, canisterId: net.canisterId.toText(), networkUrl: net.devnet.url, rootKeyHex: Buffer.from(net.devnet.rootKey).toString('hex') };
  }

  /** How many times the canister's handler took `text`. */
  async function handledCount(text: string): Promise<number> {
    return (await net.chat.receivedTexts()).filter((received) => received === text).length;
  }

  async function freshPage() {
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(pageUrl);
    await page.waitForFunction(() => typeof window.sendToOutbox === 'function');
    return { page, pageErrors };
  }

  it('keeps a message sent while the gateway is down across a reload, in localStorage, and delivers it exactly once', async () => {
    const { page, pageErrors } = await freshPage();
    const dead = await HostileProxy.start('ws://127.0.0.1:9');
    const deadUrl = dead.url;
    await dead.close();
    const text = `sent while down ${Date.now()}`;
    // The page keeps trying the dead gateway (reconnecting) with the message pending, and is reloaded then.
    const sent: OutboxSendResult = await withDeadline(page.evaluate(([c, t]) => window.sendToOutbox(c, t, 'reconnecting'), [pageConfig(deadUrl), text] as const), 'the page to fail to reach the dead gateway');
    expect(sent.states).toEqual(['queued']);
    expect(sent.storedKeys).toHaveLength(1);

    await page.reload();
    await page.waitForFunction(() => typeof window.resumeOutbox === 'function');
    const resumed: OutboxResumeResult = await withDeadline(page.evaluate((c) => window.resumeOutbox(c), pageConfig(gatewayUrl)), 'the reloaded page to deliver');
    expect(resumed.principal).toBe(sent.principal);
    expect(resumed.restored).toEqual([{ id: sent.id, text }]);
    expect(resumed.states[sent.id]).toEqual(['queued', 'relayed', 'acknowledged']);
    expect(resumed.storedKeys).toEqual([]);
    expect(resumed.errors).toEqual([]);
    expect(await handledCount(text)).toBe(1);
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it('re-sends after a reload a message the canister took but whose receipt was lost, and the canister drops the duplicate', async () => {
    const { page, pageErrors } = await freshPage();
    // A gateway path that relays the page's calls but never lets a receipt (or the echo) through.
    const lossy = await HostileProxy.start(gatewayUrl);
    lossy.rule = (observed) => (observed.service !== undefined && !('ReceiptMessage' in observed.service) ? [observed.frame] : []);
    const text = `receipt lost ${Date.now()}`;
    const sent: OutboxSendResult = await withDeadline(page.evaluate(([c, t]) => window.sendToOutbox(c, t, 'relayed'), [pageConfig(lossy.url), text] as const), 'the page to relay');
    expect(sent.states).toEqual(['queued', 'relayed']);
    await expect.poll(() => handledCount(text), { timeout: 20_000 }).toBe(1);

    await page.reload();
    await lossy.close();
    await page.waitForFunction(() => typeof window.resumeOutbox === 'function');
    const resumed: OutboxResumeResult = await withDeadline(page.evaluate((c) => window.resumeOutbox(c), pageConfig(gatewayUrl)), 'the reloaded page to re-send');
    expect(resumed.restored).toEqual([{ id: sent.id, text }]);
    expect(resumed.states[sent.id]).toEqual(['queued', 'relayed', 'acknowledged']);
    expect(resumed.storedKeys).toEqual([]);
    // Taken once: the re-send came back as a Duplicate receipt.
    expect(await handledCount(text)).toBe(1);
    expect(pageErrors).toEqual([]);
    await page.close();
  });
});
