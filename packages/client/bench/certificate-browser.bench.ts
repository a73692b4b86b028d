/**
 * bench/certificate.bench.ts in a browser: certificate verification with the WebAssembly verifier against
 * today's @noble/curves path, through the client's `CertificateVerifier`, in headless Chromium (Debian's, as
 * the browser tests use). The browser's JavaScript engine is newer than Node 20's and runs noble's BigInt
 * arithmetic much faster, so the ratio here is not the Node one: both are printed, neither stands for the other.
 * Each side runs in a page of its own browser context (its own renderer process), on the same certificates, one
 * side's block after the other's per round (which goes first alternates); the ratio of the median wall-clock
 * time per certificate, and of the page main thread's CPU time per certificate (DevTools' ThreadTime metric,
 * which does not count waiting for a core), is printed per round and as min / median / max.
 *
 *   npx tsx bench/certificate-browser.bench.ts [--rounds 7] [--certificates 12]
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { CDPSession, Page } from 'playwright-core';
import { report } from '../../../scripts/bench-kit';
import { launchChromium } from '../../../tests/e2e/support/launch-chromium';
import { bundlePage, servePage } from '../tests/support/browser-page';
import { SIDES, canisterId, certificates, comparisonRow, fixed, median, root, type CertificateKind, type Side } from './support/certificate-comparison';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '7' }, certificates: { type: 'string', default: '12' } } });
const ROUNDS = Math.max(5, Number(values.rounds));
const CERTIFICATES = Math.max(2, Number(values.certificates));
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
/** Certificates as hex, to hand to a page. */
const certificatesHex = (kind: CertificateKind, count = CERTIFICATES) => certificates(kind, count).map(hex);

// The side page bundled as an app's bundler would (code splitting: the verifier chunk is loaded on demand).
const files = await bundlePage(fileURLToPath(new URL('./support/certificate-page.ts', import.meta.url)), {
  'ic-ws-protocol': fileURLToPath(new URL('../../protocol/src/index.ts', import.meta.url)),
});
const { server, url } = await servePage(files, 'bench');

const browser = await launchChromium();
const pages = {} as Record<Side, Page>;
const devtools = {} as Record<Side, CDPSession>;
const loadMs = {} as Record<Side, number>;
for (const side of SIDES) {
  const page = await (await browser.newContext()).newPage();
  await page.goto(url);
  await page.waitForFunction(() => typeof window.setUpSide === 'function');
  const ready = await page.evaluate(([s, key, id]) => window.setUpSide(s as Side, key!, id!), [side, hex(root.rootKey), canisterId.toText()]);
  if (ready.kind !== side) throw new Error(`the ${side} page set up the ${ready.kind} verifier`);
  pages[side] = page;
  loadMs[side] = ready.loadMs;
  devtools[side] = await page.context().newCDPSession(page);
  await devtools[side].send('Performance.enable', { timeDomain: 'threadTicks' });
}
const browserVersion = browser.version();

/** The CPU time of the page's main thread so far, in ms (DevTools' `ThreadTime` metric, in seconds). */
async function threadTimeMs(side: Side): Promise<number> {
  const { metrics } = (await devtools[side].send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
  const threadTime = metrics.find((metric) => metric.name === 'ThreadTime');
  if (threadTime === undefined) throw new Error(`Chromium reports no ThreadTime metric (${metrics.map((m) => m.name).join(', ')})`);
  return threadTime.value * 1000;
}

async function compare(kind: CertificateKind) {
  const warmUp = certificatesHex(kind, 3);
  for (const side of SIDES) {
    await pages[side].bringToFront();
    await pages[side].evaluate((certs) => window.verifyAll(certs), warmUp);
  }
  const all = { noble: [] as number[], wasm: [] as number[] };
  const ratios: number[] = [];
  const cpuRatios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const certs = certificatesHex(kind);
    const times = {} as Record<Side, number[]>;
    const cpuPerCertificate = {} as Record<Side, number>;
    for (const side of round % 2 === 0 ? SIDES : ([...SIDES].reverse() as Side[])) {
      // The measured page is the visible one: Chromium lowers the priority of background renderers.
      await pages[side].bringToFront();
      const cpu0 = await threadTimeMs(side);
      times[side] = await pages[side].evaluate((c) => window.verifyAll(c), certs);
      cpuPerCertificate[side] = ((await threadTimeMs(side)) - cpu0) / certs.length;
    }
    ratios.push(median(times.noble) / median(times.wasm));
    cpuRatios.push(cpuPerCertificate.noble / cpuPerCertificate.wasm);
    all.noble.push(...times.noble);
    all.wasm.push(...times.wasm);
    console.log(
      `${kind} round ${round + 1}/${ROUNDS}: median per certificate noble ${median(times.noble).toFixed(2)} ms, wasm ${median(times.wasm).toFixed(2)} ms ` +
        `(ratio ${ratios.at(-1)!.toFixed(2)}); ` +
        `main-thread CPU per certificate noble ${cpuPerCertificate.noble.toFixed(2)} ms, wasm ${cpuPerCertificate.wasm.toFixed(2)} ms (ratio ${cpuRatios.at(-1)!.toFixed(2)})`,
    );
  }
  return { ratios, cpuRatios, row: comparisonRow(kind, all, ratios, cpuRatios) };
}

try {
  const rootResult = await compare('root');
  const delegatedResult = await compare('delegated');
  report('client-certificate-verify-browser', [rootResult.row, delegatedResult.row], {
    browser: `Chromium ${browserVersion}`,
    rounds: ROUNDS,
    certificatesPerRound: CERTIFICATES,
    ratios: { root: rootResult.ratios, delegated: delegatedResult.ratios },
    cpuRatios: { root: rootResult.cpuRatios, delegated: delegatedResult.cpuRatios },
    wasmLoadMs: fixed(loadMs.wasm, 1),
    target: 5,
  });
  console.log(`Chromium ${browserVersion}: WebAssembly verifier loaded in ${loadMs.wasm.toFixed(0)} ms`);
  for (const { row } of [rootResult, delegatedResult]) {
    console.log(
      `ratio noble/wasm in Chromium, ${row.certificates} certificates: wall clock min ${row.ratioMin} median ${row.ratioMedian} max ${row.ratioMax}; ` +
        `main-thread CPU min ${row.cpuRatioMin} median ${row.cpuRatioMedian} max ${row.cpuRatioMax} (target >= 5)`,
    );
  }
} finally {
  await browser.close();
  server.close();
}
