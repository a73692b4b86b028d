/**
 * Where a certificate's verification spends its time with the WebAssembly verifier, step by step, in Node and
 * in headless Chromium (Debian's, as the browser tests use): strict CBOR decoding, agent-js's
 * `Certificate.create` without its BLS check (its CBOR decoding, tree hashing, time and lookup checks), then
 * mcl's steps of the BLS check (signature decoding with its subgroup check, hashing the message to G1, the
 * Miller loop over the two pairs with the G2 lines precomputed, the final exponentiation), the whole BLS
 * check, the whole certificate through `CertificateVerifier.certifiedData`, and @noble/curves' whole BLS
 * check beside them. Steps faster than the browser's timer resolution (0.1 ms) are repeated per sample. Each
 * side is fresh (a child process, a new browser context), so the first verifications after load show the cold
 * start: the engine runs new WebAssembly with its baseline compiler until the hot functions are optimised.
 * Printed: each step's median time per call over the rounds (min and max beside it), its share of the whole
 * certificate, the cold start, and the ceiling: @noble/curves' BLS check divided by mcl's four steps, the
 * most any certificate comparison could show with this pairing, were everything else free.
 *
 *   npx tsx bench/certificate-stages.bench.ts [--rounds 15] [--cold 12]
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { report, spread } from '../../../scripts/bench-kit';
import { launchChromium } from '../../../tests/e2e/support/launch-chromium';
import { bundlePage, servePage } from '../tests/support/browser-page';
import { canisterId, certificates, fixed, root } from './support/certificate-comparison';
import type { StagesInput, StagesResult } from './support/certificate-stages-page';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '15' }, cold: { type: 'string', default: '12' } } });
const ROUNDS = Math.max(5, Number(values.rounds));
const CERTIFICATES_PER_ROUND = 4;
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const input: StagesInput = {
  rootKeyHex: hex(root.rootKey),
  canisterId: canisterId.toText(),
  certificatesHex: certificates('root', ROUNDS * CERTIFICATES_PER_ROUND).map(hex),
  rounds: ROUNDS,
  coldVerifications: Math.max(1, Number(values.cold)),
};
const MCL_STEPS = [
  'signature decoding + subgroup check (mcl)',
  'hash to G1, RFC 9380 (mcl)',
  'Miller loop, 2 pairs, precomputed lines (mcl)',
  'final exponentiation (mcl)',
];
const WHOLE_CERTIFICATE = 'whole certificate, WebAssembly (CertificateVerifier.certifiedData)';
const NOBLE = 'whole BLS check, @noble/curves (agent-js blsVerify)';

async function inNode(): Promise<StagesResult> {
  const child = fork(fileURLToPath(new URL('./support/certificate-stages-node.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'] });
  try {
    const reply = await new Promise<{ result?: StagesResult; error?: string }>((resolve, reject) => {
      child.once('message', resolve);
      child.once('exit', (code) => reject(new Error(`the Node side exited (${code})`)));
      child.send(input);
    });
    if (reply.result === undefined) throw new Error(`the Node side failed: ${reply.error}`);
    return reply.result;
  } finally {
    child.kill();
  }
}

async function inChromium(): Promise<{ result: StagesResult; version: string }> {
  const files = await bundlePage(fileURLToPath(new URL('./support/certificate-stages-page.ts', import.meta.url)), {
    'ic-ws-protocol': fileURLToPath(new URL('../../protocol/src/index.ts', import.meta.url)),
  });
  const { server, url } = await servePage(files, 'certificate stages');
  const browser = await launchChromium();
  try {
    const page = await (await browser.newContext()).newPage();
    await page.goto(url);
    await page.waitForFunction(() => typeof window.measureStages === 'function');
    const result = await page.evaluate((stagesInput) => window.measureStages!(stagesInput), input);
    return { result, version: browser.version() };
  } finally {
    await browser.close();
    server.close();
  }
}

const node = await inNode();
const chromium = await inChromium();
const sides = { node, chromium: chromium.result };

const rows = Object.keys(node.stages).map((stage) => {
  const row: Record<string, unknown> = { stage };
  for (const [name, side] of Object.entries(sides)) {
    const ms = spread(side.stages[stage]!);
    const whole = spread(side.stages[WHOLE_CERTIFICATE]!).median;
    row[`${name}Ms`] = fixed(ms.median, 3);
    row[`${name}MinMaxMs`] = `${ms.min.toFixed(3)}-${ms.max.toFixed(3)}`;
    row[`${name}ShareOfCertificate`] = stage === NOBLE ? '' : `${((ms.median / whole) * 100).toFixed(0)}%`;
  }
  return row;
});
const ceiling = (side: StagesResult) => spread(side.stages[NOBLE]!).median / MCL_STEPS.reduce((sum, stage) => sum + spread(side.stages[stage]!).median, 0);
report('client-certificate-stages', rows, {
  browser: `Chromium ${chromium.version}`,
  rounds: ROUNDS,
  ceiling: { node: fixed(ceiling(node)), chromium: fixed(ceiling(chromium.result)) },
  coldStartMs: { node: node.coldStartMs.map((ms) => fixed(ms)), chromium: chromium.result.coldStartMs.map((ms) => fixed(ms)) },
  loadMs: { node: fixed(node.loadMs, 1), chromium: fixed(chromium.result.loadMs, 1) },
});
for (const [name, side] of Object.entries(sides)) {
  console.log(
    `${name}: load ${side.loadMs.toFixed(0)} ms (with its warm-up); first verifications after load (ms): ${side.coldStartMs.map((ms) => ms.toFixed(1)).join(' ')}; ` +
      `ceiling of noble / wasm with this pairing (noble's BLS check / mcl's four steps): ${ceiling(side).toFixed(2)}`,
  );
}
