import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** The Chromium the test drives: Debian's, or the one `IC_WS_CHROMIUM` names. */
export const CHROMIUM_PATH = process.env.IC_WS_CHROMIUM ?? '/usr/bin/chromium';

// Headless, and quiet on the network: nothing but the demo's loopback servers.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Chromium is not installed where the test looks for it. */
export class ChromiumMissingError extends Error {
  override readonly name = 'ChromiumMissingError';
  readonly code = 'CHROMIUM_MISSING';
}

/**
 * Launches Chromium through playwright-core. A missing browser is a failure with instructions, never a
 * skipped test: the browser test is the only proof that the client works in a real browser.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new ChromiumMissingError(
      `Chromium not found at ${CHROMIUM_PATH}. Install it (Debian/Ubuntu: \`sudo apt-get install -y chromium\`; ` +
        '`bash .ci/run` does this) or point IC_WS_CHROMIUM at a Chromium or Chrome binary.',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}
