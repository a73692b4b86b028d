/**
 * Delivered messages per second for a burst of 500 from one canister to one client, through the whole stack:
 * ic-ws-devnet (real time, metered, default rounds) running the ws-test canister, a real ic-ws-gateway
 * (default options) and an IcWebSocket client verifying every message, all over loopback HTTP/WebSocket.
 * Two sides in the same devnet and the same gateway, each its own canister and client: the canister library
 * at the baseline commit (before the fast path) and the current one (packages/canister/bench/README.md).
 * After one untimed burst per side (warm-up), a round sends a burst on each side in turn (the side that goes
 * first alternates): one `send_many` update call of 500 messages of 57 characters through the agent, and the
 * clock stops when the client has handed the 500th message to the app. Ratio = current / baseline messages per second, per round; min/median/max
 * over the rounds. Beside it, the ratio of CPU time per burst (baseline / current; the whole stack runs in this
 * process), which a loaded machine moves less. It lives here because it needs the client, which depends on
 * the canister package for its tests (the reverse dependency would be a cycle).
 *
 *   pnpm --filter ic-ws-client bench   (or: tsx bench/canister-burst.bench.ts; BURST_ROUNDS=7 BURST=500)
 */
import { Actor, HttpAgent, type ActorSubclass } from '@dfinity/agent';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import type { Principal } from '@dfinity/principal';
import { IcWebSocket } from 'ic-ws-client';
import { startDevnet, type Devnet } from 'ic-ws-devnet';
import { startGateway } from 'ic-ws-gateway';
import { report, spread } from '../../../scripts/bench-kit';
import { BASELINE_COMMIT, buildBaselineWsTest } from '../../canister/bench/support/baseline-canister';
import { AppMessageIdl, type AppMessage, type Target } from '../../canister/tests/canisters/ws-test/src/ws-test-idl';
import { buildWsTestCanister, installWsTest, wsTestIdlFactory } from '../../canister/tests/support/ws-test-canister';

const BURST = Number(process.env.BURST ?? 500);
const ROUNDS = Math.max(5, Number(process.env.BURST_ROUNDS ?? 7));
const TEXT_LENGTH = 57;
// Far beyond any round: a stuck burst fails the bench instead of hanging it.
const DEADLINE_MS = 180_000;

interface App {
  send_many(target: Target, count: number, size: number): Promise<{ Ok: null } | { Err: string }>;
}

/** One side: its canister, a client connected to it, and the app actor that triggers bursts. */
class BurstSide {
  private received = 0;
  private waiter: { count: number; resolve: () => void } | undefined;

  private constructor(
    readonly name: 'baseline' | 'current',
    private readonly ws: IcWebSocket<AppMessage>,
    private readonly app: ActorSubclass<App>,
  ) {
    ws.addEventListener('message', () => {
      this.received++;
      if (this.waiter !== undefined && this.received >= this.waiter.count) this.waiter.resolve();
    });
  }

  static async start(name: BurstSide['name'], wasm: Uint8Array, devnet: Devnet, gatewayUrl: string): Promise<BurstSide> {
    const canisterId: Principal = await installWsTest(devnet, wasm);
    const ws = new IcWebSocket<AppMessage>({
      gatewayUrl,
      canisterId,
      identity: Ed25519KeyIdentity.generate(),
      networkUrl: devnet.url,
      rootKey: devnet.rootKey,
      appMessageIdl: AppMessageIdl,
    });
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener('open', () => resolve(), { once: true });
      ws.addEventListener('close', (event) => reject(new Error(`${name}: closed before opening (${event.code} ${event.reason})`)), { once: true });
    });
    const agent = await HttpAgent.create({ host: devnet.url, identity: Ed25519KeyIdentity.generate(), shouldFetchRootKey: true });
    return new BurstSide(name, ws, Actor.createActor<App>(wsTestIdlFactory, { agent, canisterId }));
  }

  /**
   * Sends a burst and returns the milliseconds from the call until the client delivered all of it, and the CPU
   * time this process (devnet, gateway and clients all run in it) spent meanwhile.
   */
  async burst(): Promise<{ totalMs: number; sendCallMs: number; cpuMs: number }> {
    const clientKey = this.ws.clientKey;
    if (clientKey === undefined) throw new Error(`${this.name}: the client is not connected`);
    const delivered = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name}: burst not delivered within ${DEADLINE_MS} ms`)), DEADLINE_MS);
      this.waiter = { count: this.received + BURST, resolve: () => (clearTimeout(timer), resolve()) };
    });
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    const result = await this.app.send_many({ Client: clientKey }, BURST, TEXT_LENGTH);
    if ('Err' in result) throw new Error(`${this.name}: send_many: ${result.Err}`);
    const sendCallMs = performance.now() - start;
    await delivered;
    const totalMs = performance.now() - start;
    const cpu = process.cpuUsage(cpuStart);
    return { totalMs, sendCallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
  }

  close(): void {
    this.ws.close();
  }
}

const wasms = { baseline: await buildBaselineWsTest(), current: (await buildWsTestCanister()).wasm };
const devnet = await startDevnet({ time: 'real' });
const gateway = await startGateway({
  listen: '127.0.0.1:0',
  adminListen: '',
  icUrl: devnet.url,
  rootKey: devnet.rootKey,
  identity: Ed25519KeyIdentity.generate(),
  logLevel: 'silent',
});
const rows: { round: number; side: string; messagesPerSec: number; totalMs: number; sendCallMs: number; cpuMs: number }[] = [];
try {
  const sides = [await BurstSide.start('baseline', wasms.baseline, devnet, gateway.url), await BurstSide.start('current', wasms.current, devnet, gateway.url)];
  // One untimed burst per side first: the gateway's, the client's and the devnet's code is compiled (JIT)
  // and their buffers grown before any round, so round 0's first side does not pay for both.
  for (const side of sides) await side.burst();
  for (let round = 0; round < ROUNDS; round++) {
    for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
      const { totalMs, sendCallMs, cpuMs } = await side.burst();
      const row = { round, side: side.name, messagesPerSec: Math.round((BURST * 10_000) / totalMs) / 10, totalMs: Math.round(totalMs), sendCallMs: Math.round(sendCallMs), cpuMs: Math.round(cpuMs) };
      rows.push(row);
      console.log(`round ${round} ${side.name}: ${BURST} delivered in ${row.totalMs} ms (send_many call ${row.sendCallMs} ms, ${row.cpuMs} ms of CPU)`);
    }
  }
  for (const side of sides) side.close();
} finally {
  await gateway.close();
  await devnet.close();
}

const of = (round: number, side: string) => rows.find((row) => row.round === round && row.side === side);
const round3 = (value: number) => Math.round(value * 1000) / 1000;
const spreadOf = (ratio: (round: number) => number) => {
  const { min, median, max } = spread(Array.from({ length: ROUNDS }, (_, round) => ratio(round)));
  return { min: round3(min), median: round3(median), max: round3(max) };
};
// Headline: delivered messages/s (wall clock). Beside it, CPU time per burst, which waiting for a core on a
// loaded machine does not inflate (it leaves out idle waits, such as the gateway's polling interval, too).
const ratio = spreadOf((round) => (of(round, 'current')?.messagesPerSec ?? NaN) / (of(round, 'baseline')?.messagesPerSec ?? NaN));
const cpuRatio = spreadOf((round) => (of(round, 'baseline')?.cpuMs ?? NaN) / (of(round, 'current')?.cpuMs ?? NaN));
report('canister-burst', rows, { burst: BURST, baselineCommit: BASELINE_COMMIT, ratio, cpuRatio });
console.log(`delivered messages/s, current / baseline: min ${ratio.min}  median ${ratio.median}  max ${ratio.max}  (target >= 3)`);
console.log(`CPU per burst, baseline / current:        min ${cpuRatio.min}  median ${cpuRatio.median}  max ${cpuRatio.max}`);
