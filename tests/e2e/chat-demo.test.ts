/**
 * The demo as a user gets it: `pnpm dev` itself (the root README's demo command; every server on a free
 * port), and two Chromium contexts, so two identities, chatting. A message reaches the other page only
 * through the client's `message` event, which fires after the certificate, witness, hash and sequence
 * checks. Then Ctrl-C, as a terminal sends it (SIGINT to the whole process group): exit status 0, no
 * `ELIFECYCLE`, nothing left running. Then `pnpm dev` again on the same project state: the chat keeps its
 * canister, its gateway principal and its messages; and `pnpm dev --clean`: the chat starts empty, the
 * gateway principal stays.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './support/launch-chromium';
import { startPnpmDev, type PnpmDev } from './support/pnpm-dev';

const OUTPUT_DIR = fileURLToPath(new URL('./test-output/', import.meta.url));
// Connecting includes fetching the root key and verifying the first certificate.
const UI_TIMEOUT_MS = 60_000;

let demo: PnpmDev | undefined;
let browser: Browser | undefined;
const pageErrors: string[] = [];
/** The project state of these runs (what `.ic-ws` is for a user), apart from the checkout's own. */
let stateDir: string;
/** What the first run's chat said, for the second run to show. */
const firstRun = { hello: '', bobNickname: '', hi: 'hi alice!' };

beforeAll(async () => {
  // The browser first: without one the test fails at once, before minutes of canister builds.
  browser = await launchChromium();
  stateDir = await mkdtemp(join(tmpdir(), 'ic-ws-e2e-state-'));
  demo = await startPnpmDev(['--port', '0', '--admin-port', 'off', '--state-dir', stateDir]);
});

afterAll(async () => {
  await browser?.close();
  await demo?.kill();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

/** Opens the chat in a fresh browser context (its own localStorage, so its own identity). */
async function openChat(name: string): Promise<Page> {
  const page = await browser!.newContext().then((context) => context.newPage());
  page.on('pageerror', (error) => pageErrors.push(`${name}: ${error.message}`));
  await page.goto(`${demo!.ready.frontendUrl}/`);
  await waitForConnected(page);
  return page;
}

async function waitForConnected(page: Page): Promise<void> {
  await page.locator('[data-testid="connection-state"][data-state="open"]').waitFor({ timeout: UI_TIMEOUT_MS });
}

async function post(page: Page, text: string): Promise<void> {
  await page.getByTestId('message-input').fill(text);
  await page.getByTestId('send-button').click();
}

async function waitForMessage(page: Page, author: string, text: string): Promise<void> {
  await page
    .getByTestId('message')
    .filter({ has: page.getByTestId('message-author').getByText(author, { exact: true }) })
    .filter({ has: page.getByTestId('message-text').getByText(text, { exact: true }) })
    .waitFor({ timeout: UI_TIMEOUT_MS });
}

describe('the chat demo in Chromium', () => {
  it('carries a message typed in one browser to another, verified, and keeps it across a reload', async () => {
    const alice = await openChat('alice');
    const bob = await openChat('bob');
    const aliceId = await alice.getByTestId('me').textContent();
    const bobId = await bob.getByTestId('me').textContent();
    expect(aliceId).not.toBe(bobId);

    await alice.getByTestId('nickname-input').fill('alice');
    await alice.getByTestId('nickname-button').click();
    await bob.getByTestId('online-list').getByText('alice', { exact: true }).waitFor({ timeout: UI_TIMEOUT_MS });

    const hello = `hello bob, it is ${new Date().toISOString()}`;
    firstRun.hello = hello;
    // The pending mark: read in the page right after the click, before anything could have been answered.
    const markAtSend = await alice.evaluate((text) => {
      const input = document.querySelector<HTMLInputElement>('[data-testid="message-input"]')!;
      input.value = text;
      document.querySelector<HTMLButtonElement>('[data-testid="send-button"]')!.click();
      const mark = Array.from(document.querySelectorAll<HTMLElement>('[data-testid="message"]'))
        .find((item) => item.querySelector('[data-testid="message-text"]')?.textContent === text)
        ?.querySelector<HTMLElement>('[data-testid="delivery-state"]');
      return { state: mark?.dataset.state, symbol: mark?.textContent };
    }, hello);
    expect(markAtSend).toEqual({ state: 'queued', symbol: '◷' });
    await waitForMessage(bob, 'alice', hello);
    await waitForMessage(alice, 'alice', hello);
    // Then its delivery: the canister's certified receipt turns the mark into a check.
    await alice
      .getByTestId('message')
      .filter({ has: alice.getByTestId('message-text').getByText(hello, { exact: true }) })
      .locator('[data-testid="delivery-state"][data-state="acknowledged"]')
      .waitFor({ timeout: UI_TIMEOUT_MS });
    // Certificates are checked by the WebAssembly BLS verifier in both pages, not by its @noble fallback.
    expect(await alice.getByTestId('bls-verifier').textContent()).toBe('wasm');
    expect(await bob.getByTestId('bls-verifier').textContent()).toBe('wasm');
    // Alice's own post came back through the canister: her round trip is measured.
    await expect.poll(() => alice.getByTestId('latency').textContent(), { timeout: UI_TIMEOUT_MS }).toMatch(/^\d+ ms$/);

    const bobNickname = (await bob.getByTestId('nickname-input').inputValue()).trim();
    expect(bobNickname).toMatch(/^guest-/);
    firstRun.bobNickname = bobNickname;
    await post(bob, firstRun.hi);
    await waitForMessage(alice, bobNickname, firstRun.hi);

    // A reload is the same identity (kept in localStorage), welcomed with the history from stable memory.
    await bob.reload();
    await waitForConnected(bob);
    await waitForMessage(bob, 'alice', hello);
    await waitForMessage(bob, bobNickname, 'hi alice!');
    expect(await bob.getByTestId('me').textContent()).toBe(bobId);

    await mkdir(OUTPUT_DIR, { recursive: true });
    await alice.screenshot({ path: `${OUTPUT_DIR}chat-alice.png` });
    await bob.screenshot({ path: `${OUTPUT_DIR}chat-bob.png` });
    expect(pageErrors).toEqual([]);
  });

  it('serves the page the config of the running stack', async () => {
    const { ready } = demo!;
    const response = await fetch(`${ready.frontendUrl}/config.json`);
    expect(await response.json()).toEqual({ gatewayUrl: ready.gatewayUrl, canisterId: ready.canisterIds.chat, networkUrl: ready.networkUrl });
    expect(Object.keys(ready.canisterIds)).toEqual(['chat', 'ping_pong']);
  });

  it('stops on Ctrl-C with exit status 0, no ELIFECYCLE, and nothing left running', async () => {
    const { code, output } = await demo!.interrupt();
    expect(code, output).toBe(0);
    expect(output).not.toContain('ELIFECYCLE');
    expect(output).toContain('SIGINT, stopping');
    expect(demo!.survivors()).toEqual([]);
    await expect(fetch(`${demo!.ready.networkUrl}/api/v2/status`)).rejects.toThrow();
  });

  it('runs again on the same project state: same canister and gateway principal, the first run\'s messages shown', async () => {
    const first = demo!.ready;
    demo = await startPnpmDev(['--port', '0', '--admin-port', 'off', '--state-dir', stateDir]);
    expect(demo.ready.canisterIds).toEqual(first.canisterIds);
    expect(demo.ready.gatewayPrincipal).toBe(first.gatewayPrincipal);
    // A new visitor (a fresh browser context) is welcomed with the history the first run's chat left.
    const carol = await openChat('carol');
    await waitForMessage(carol, 'alice', firstRun.hello);
    await waitForMessage(carol, firstRun.bobNickname, firstRun.hi);
    expect(pageErrors).toEqual([]);
    const { code, output } = await demo.interrupt();
    expect(code, output).toBe(0);
  });

  it('starts over with --clean: the chat is empty, the gateway keeps its principal', async () => {
    const earlier = demo!.ready;
    demo = await startPnpmDev(['--port', '0', '--admin-port', 'off', '--state-dir', stateDir, '--clean']);
    expect(demo.ready.gatewayPrincipal).toBe(earlier.gatewayPrincipal);
    const dave = await openChat('dave');
    const fresh = `the first message after --clean, ${new Date().toISOString()}`;
    await post(dave, fresh);
    await dave.getByTestId('message-text').getByText(fresh, { exact: true }).waitFor({ timeout: UI_TIMEOUT_MS });
    // The history (the Welcome) is shown before a post's echo: a kept history would be on the page by now.
    expect(await dave.getByTestId('message-text').allTextContents()).toEqual([fresh]);
    expect(pageErrors).toEqual([]);
    const { code, output } = await demo.interrupt();
    expect(code, output).toBe(0);
  });
});
