/**
 * Where a V8 CPU profile's time went within a window: self time by function and by package, and the time
 * spent under a few named callers (inclusive), as shares of all busy time (samples that are not `(idle)`).
 *
 *   tsx bench/profile-summary.ts <file.cpuprofile> [fromMs toMs]   (ms since the profile started)
 *
 * With `IDLE_CPU_PROF=<dir>` the idle bench writes each gateway's profile under `<dir>/<side>/` and the
 * measured windows to `<dir>/windows.json`; `tsx bench/profile-summary.ts <dir>` summarises each side there.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Inclusive groups: time spent anywhere under a frame matching the pattern (first match from the root wins). */
const GROUPS: [string, RegExp][] = [
  ['agent query (HttpAgent.query)', /^query$|^queryFn$/],
  ['HTTP client (node:http, sockets)', /_http_client|_http_agent|_http_outgoing|_http_incoming|_http_common|node:net$|stream_base_commons|ic-http/],
  ['fetch (undici)', /undici|node:internal\/deps\/undici/],
  ['signing', /^sign$|transformRequest|signRequest/],
  ['CBOR (agent)', /cbor/i],
  ['query signature check', /QuerySignatureVerifier|firstBadSignature|queryResponseHash/],
  ['reply decode', /decodeWsGetMessagesResult|decodeGetMessagesReply/],
  ['poller', /CanisterPoller|#poll|#schedule/],
  ['metrics (prom-client; the bench scrapes /metrics twice a window)', /prom-client/],
  ['logging (pino)', /pino/],
  ['ws pings', /heartbeat|ping/i],
  ['status checks', /checkStatus|status-checks/],
  ['garbage collector', /^\(garbage collector\)$/],
];

function packageOf(url: string): string {
  if (url === '') return '(native/vm)';
  const match = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (match) return match[1]!;
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  const ours = /packages\/([^/]+)\//.exec(url);
  return ours ? `ic-ws ${ours[1]}` : url;
}

function summarise(profile: CpuProfile, fromMs: number, toMs: number): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const selfUs = new Map<number, number>();
  let at = 0;
  let busyUs = 0;
  let windowUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i]!;
    const ms = at / 1000;
    if (ms < fromMs || ms > toMs) continue;
    const delta = profile.timeDeltas[i + 1] ?? 0;
    windowUs += delta;
    const node = byId.get(profile.samples[i]!)!;
    if (node.callFrame.functionName === '(idle)') continue;
    busyUs += delta;
    selfUs.set(node.id, (selfUs.get(node.id) ?? 0) + delta);
  }
  const groupUs = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!;
    const name = `${node.callFrame.functionName || '(anonymous)'} ${packageOf(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    const pkg = packageOf(node.callFrame.url);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
    // The outermost ancestor frame matching a group gets the time.
    const chain: ProfileNode[] = [];
    for (let current: number | undefined = id; current !== undefined; current = parent.get(current)) chain.unshift(byId.get(current)!);
    const group = GROUPS.find(([, pattern]) => chain.some((frame) => pattern.test(frame.callFrame.functionName) || pattern.test(frame.callFrame.url)));
    const label = group?.[0] ?? '(other)';
    groupUs.set(label, (groupUs.get(label) ?? 0) + us);
  }
  const share = (us: number) => `${((100 * us) / busyUs).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(6)} ms`;
  const top = (map: Map<string, number>, n: number) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => `  ${share(us)}  ${name}`)
      .join('\n');
  return [
    `window ${(windowUs / 1e6).toFixed(1)} s, busy ${(busyUs / 1000).toFixed(0)} ms (${((100 * busyUs) / windowUs).toFixed(2)} % of the window, profiler's view)`,
    'by caller group (inclusive, outermost match):',
    top(groupUs, 20),
    'by package (self):',
    top(byPackage, 15),
    'by function (self):',
    top(byFunction, 30),
  ].join('\n');
}

const [target, from, to] = process.argv.slice(2);
if (target === undefined) throw new Error('usage: tsx bench/profile-summary.ts <file.cpuprofile | dir> [fromMs toMs]');
if (statSync(target).isDirectory()) {
  const windows = JSON.parse(readFileSync(join(target, 'windows.json'), 'utf8')) as Record<string, { fromMs: number; toMs: number }>;
  for (const [side, window] of Object.entries(windows)) {
    for (const file of readdirSync(join(target, side)).filter((f) => f.endsWith('.cpuprofile'))) {
      console.log(`== ${side}: ${file}`);
      console.log(summarise(JSON.parse(readFileSync(join(target, side, file), 'utf8')) as CpuProfile, window.fromMs, window.toMs));
    }
  }
} else {
  console.log(summarise(JSON.parse(readFileSync(target, 'utf8')) as CpuProfile, Number(from ?? 0), Number(to ?? Infinity)));
}
