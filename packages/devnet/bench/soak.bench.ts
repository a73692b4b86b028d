/**
 * Soak: the devnet CLI in its own process under constant load for 10 minutes (`--minutes` to change), its CPU
 * and RSS sampled from /proc every 10 s. The load is open-loop, as users make it: `updates` sync calls and
 * `queries` certified queries (`getCertified`, like a gateway's polls) per second against the counter canister,
 * sent on a fixed schedule whether or not earlier ones were answered (at most 500 in flight). The first
 * 5 minutes fill the request-status retention window; the second half should be flat.
 *
 * Run from packages/devnet: `pnpm soak` (or `pnpm soak -- --minutes 2`; `--state-dir` persists every round
 * into a temporary state directory, as `ic-ws-devnet dev` runs the devnet; `--probe` runs a full GC in the
 * devnet every 10 s and prints the slope of its live heap, telling a leak from memory the runtime keeps). Prints per-minute figures, the
 * least-squares slope of RSS and CPU over the second half, and PASS/MISS against: RSS slope <= 1 MB/min, CPU
 * slope <= 1 percentage point/min (a core = 100%). Writes bench/results/devnet-soak.json. Not part of `pnpm test`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { AnonymousIdentity } from '@dfinity/agent';
import { Principal } from '@dfinity/principal';
import { report } from '../../../scripts/bench-kit';
import { buildCounter, counterInitArg, NO_ARGS } from '../tests/canisters/counter-fixture';
import { ingressExpiry, signEnvelope } from '../tests/http-test-support';

const RSS_SLOPE_TARGET_MB_PER_MIN = 1;
const CPU_SLOPE_TARGET_POINTS_PER_MIN = 1;
const SAMPLE_MS = 10_000;
const MAX_IN_FLIGHT = 500;
const CLOCK_TICKS_PER_SEC = 100; // USER_HZ on Linux

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    minutes: { type: 'string', default: '10' },
    updates: { type: 'string', default: '20' },
    queries: { type: 'string', default: '10' },
    'state-dir': { type: 'boolean', default: false },
    probe: { type: 'boolean', default: false },
  },
});
const minutes = Number(values.minutes);
const updatesPerSec = Number(values.updates);
const queriesPerSec = Number(values.queries);
/** With `--state-dir`, the devnet persists every round (as `pnpm dev` runs it) into a temporary directory. */
const persist = values['state-dir'] === true;
/** With `--probe`, the devnet runs a full GC every 10 s and reports its live heap (see bench/heap-probe.mjs). */
const probe = values.probe === true;

const MB = 1024 * 1024;

/** One probe line: live heap after a full GC, memory outside the V8 heap, and V8's code spaces (MB). */
interface ProbeSample {
  minute: number;
  heapMb: number;
  /** `external` minus array buffers: the canisters' wasm memories and other native memory V8 is told of. */
  wasmAndNativeMb: number;
  arrayBuffersMb: number;
  /** Compiled code (JS and wasm) in V8's code spaces. */
  codeMb: number;
}

interface Sample {
  minute: number;
  rssMb: number;
  cpuPercent: number;
}

function cpuTicks(pid: number): number {
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15 of the whole line.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return Number(fields[11]) + Number(fields[12]);
}

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:')) ?? '';
  return Number(/\d+/.exec(line)?.[0]) / 1024;
}

function directoryBytes(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((sum, entry) => {
    const path = join(dir, entry.name);
    return sum + (entry.isDirectory() ? directoryBytes(path) : statSync(path).size);
  }, 0);
}

function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  const meanX = points.reduce((sum, p) => sum + p.x, 0) / n;
  const meanY = points.reduce((sum, p) => sum + p.y, 0) / n;
  const num = points.reduce((sum, p) => sum + (p.x - meanX) * (p.y - meanY), 0);
  const den = points.reduce((sum, p) => sum + (p.x - meanX) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

async function main(): Promise<void> {
  const { wasmPath } = await buildCounter();
  const packageDir = fileURLToPath(new URL('..', import.meta.url));
  const stateDir = persist ? mkdtempSync(join(tmpdir(), 'ic-ws-soak-state-')) : undefined;
  const probeArgs = probe ? ['--expose-gc', '--import', './bench/heap-probe.mjs'] : [];
  const child = spawn(process.execPath, [...probeArgs, '--import', 'tsx', 'src/cli.ts', '--port', '0', '--install', wasmPath, '--init-arg-hex', Buffer.from(counterInitArg('soak')).toString('hex'), ...(stateDir ? ['--state-dir', stateDir] : [])], {
    cwd: packageDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const ready = await new Promise<{ url: string; canisters: Record<string, string> }>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (text) => resolve(JSON.parse(text) as { url: string; canisters: Record<string, string> }));
    child.once('exit', (code) => reject(new Error(`devnet exited with ${code}`)));
  });
  const pid = child.pid as number;
  /** What the probe reports after each full GC (MB), by minute. */
  const liveHeap: ProbeSample[] = [];
  const probeStarted = performance.now();
  createInterface({ input: child.stderr! }).on('line', (line) => {
    if (!line.startsWith('heap-probe ')) return void process.stderr.write(`${line}\n`);
    const probed = JSON.parse(line.slice('heap-probe '.length)) as { heapUsed: number; external: number; arrayBuffers: number; code: number };
    liveHeap.push({
      minute: (performance.now() - probeStarted) / 60_000,
      heapMb: probed.heapUsed / MB,
      wasmAndNativeMb: (probed.external - probed.arrayBuffers) / MB,
      arrayBuffersMb: probed.arrayBuffers / MB,
      codeMb: probed.code / MB,
    });
  });
  const canisterId = Principal.fromText(Object.values(ready.canisters)[0] as string);
  const identity = new AnonymousIdentity();
  const callUrl = new URL(`/api/v3/canister/${canisterId.toText()}/call`, ready.url);
  const queryUrl = new URL(`/api/v2/canister/${canisterId.toText()}/query`, ready.url);

  let inFlight = 0;
  let sent = 0;
  let failed = 0;
  let skipped = 0;
  const send = async (kind: 'call' | 'query'): Promise<void> => {
    if (inFlight >= MAX_IN_FLIGHT) {
      skipped++;
      return;
    }
    inFlight++;
    sent++;
    try {
      const body = await signEnvelope(identity, {
        request_type: kind,
        canister_id: canisterId,
        method_name: kind === 'call' ? 'increment' : 'getCertified',
        arg: NO_ARGS,
        ingress_expiry: ingressExpiry(240_000),
        nonce: crypto.getRandomValues(new Uint8Array(16)),
      });
      const response = await fetch(kind === 'call' ? callUrl : queryUrl, { method: 'POST', headers: { 'content-type': 'application/cbor' }, body: new Uint8Array(body) });
      await response.arrayBuffer();
      if (response.status !== 200) failed++;
    } catch (error) {
      failed++;
      if (failed < 5) console.error(`soak: request failed: ${String(error)}`);
    } finally {
      inFlight--;
    }
  };
  const timers = [
    setInterval(() => void send('call'), 1000 / updatesPerSec),
    setInterval(() => void send('query'), 1000 / queriesPerSec),
  ];

  const samples: Sample[] = [];
  const started = performance.now();
  let lastTicks = cpuTicks(pid);
  let lastAt = started;
  while (performance.now() - started < minutes * 60_000) {
    await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
    const now = performance.now();
    const ticks = cpuTicks(pid);
    const cpuPercent = (((ticks - lastTicks) / CLOCK_TICKS_PER_SEC) * 100_000) / (now - lastAt);
    samples.push({ minute: (now - started) / 60_000, rssMb: rssMb(pid), cpuPercent });
    lastTicks = ticks;
    lastAt = now;
    const last = samples.at(-1) as Sample;
    process.stderr.write(`soak: ${last.minute.toFixed(1)} min  rss ${last.rssMb.toFixed(1)} MB  cpu ${last.cpuPercent.toFixed(1)}%  sent ${sent}  failed ${failed}  skipped ${skipped}\n`);
  }
  for (const timer of timers) clearInterval(timer);
  const drainUntil = performance.now() + 10_000;
  while (inFlight > 0 && performance.now() < drainUntil) await new Promise((resolve) => setTimeout(resolve, 50));
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  const stateBytes = stateDir ? directoryBytes(stateDir) : undefined;
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });

  const secondHalf = samples.filter((sample) => sample.minute >= minutes / 2);
  const rssSlope = slope(secondHalf.map((sample) => ({ x: sample.minute, y: sample.rssMb })));
  const cpuSlope = slope(secondHalf.map((sample) => ({ x: sample.minute, y: sample.cpuPercent })));
  const probeSecondHalf = liveHeap.filter((s) => s.minute >= minutes / 2);
  const heapSlope = probe ? slope(probeSecondHalf.map((s) => ({ x: s.minute, y: s.heapMb }))) : undefined;
  // What else could grow: the canisters' memories, array buffers, compiled code. Each as first / last sample
  // and second-half slope, so a growth in the first minutes shows where it is.
  const probeParts = (['heapMb', 'wasmAndNativeMb', 'arrayBuffersMb', 'codeMb'] as const).map((part) => ({
    part,
    firstMb: Math.round((liveHeap[0]?.[part] ?? NaN) * 10) / 10,
    atHalfMb: Math.round((probeSecondHalf[0]?.[part] ?? NaN) * 10) / 10,
    lastMb: Math.round((liveHeap.at(-1)?.[part] ?? NaN) * 10) / 10,
    secondHalfSlopeMbPerMin: Math.round(slope(probeSecondHalf.map((s) => ({ x: s.minute, y: s[part] }))) * 100) / 100,
  }));
  const perMinute = new Map<number, Sample[]>();
  for (const sample of samples) {
    const key = Math.min(Math.ceil(minutes), Math.max(1, Math.ceil(sample.minute - 0.01)));
    perMinute.set(key, [...(perMinute.get(key) ?? []), sample]);
  }
  const rows = [...perMinute].map(([minute, group]) => ({
    minute,
    rssMb: Math.round(Math.max(...group.map((s) => s.rssMb)) * 10) / 10,
    cpuPercent: Math.round((group.reduce((sum, s) => sum + s.cpuPercent, 0) / group.length) * 10) / 10,
  }));
  const targets = [
    { target: `RSS slope, second half <= ${RSS_SLOPE_TARGET_MB_PER_MIN} MB/min`, measured: `${rssSlope.toFixed(2)} MB/min`, pass: rssSlope <= RSS_SLOPE_TARGET_MB_PER_MIN },
    { target: `CPU slope, second half <= ${CPU_SLOPE_TARGET_POINTS_PER_MIN} %-points/min`, measured: `${cpuSlope.toFixed(2)} %-points/min`, pass: cpuSlope <= CPU_SLOPE_TARGET_POINTS_PER_MIN },
  ];
  if (heapSlope !== undefined) {
    console.log('\n# probe: after a full GC every 10 s (MB; external memory split into wasm/native and array buffers)');
    console.table(probeParts);
    console.log(`live heap after GC, second half: ${heapSlope.toFixed(2)} MB/min (last ${liveHeap.at(-1)?.heapMb.toFixed(1)} MB)`);
  }
  if (stateBytes !== undefined) console.log(`state directory at the end: ${(stateBytes / 1024 / 1024).toFixed(1)} MB`);
  report(persist ? 'devnet-soak-state-dir' : probe ? 'devnet-soak-probe' : 'devnet-soak', rows, { minutes, updatesPerSec, queriesPerSec, persist, probe, liveHeap, heapSlope, probeParts, stateBytes, sent, failed, skipped, rssSlope, cpuSlope, samples, targets });
  for (const target of targets) console.log(`${target.pass ? 'PASS' : 'MISS'}  ${target.target}: ${target.measured}`);
  if (failed > 0) console.log(`MISS  ${failed} requests failed`);
  if (targets.some((target) => !target.pass) || failed > 0) process.exitCode = 1;
}

await main();
