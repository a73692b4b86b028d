/**
 * Round trips through the real @dfinity/agent 3.4.3 with every verification on (root key fetched, query
 * signatures verified, certificates BLS-checked) against `startDevnet` and the counter canister: warm queries
 * and synchronous (v3) updates, one after the other.
 */
import { Actor, HttpAgent } from '@dfinity/agent';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { percentiles } from '../../../scripts/bench-kit';
import { startDevnet } from '../src/start-devnet';
import { counterInitArg } from '../tests/canisters/counter-fixture';
import { counterIdlFactory, type CounterActor } from '../tests/canisters/counter-idl';

/** Median and p99 of one kind of round trip, ms. */
export interface RoundTrips {
  medianMs: number;
  p99Ms: number;
  count: number;
}

async function time(count: number, call: () => Promise<unknown>): Promise<RoundTrips> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await call();
    samples.push(performance.now() - started);
  }
  const { medianUs: medianMs, p99Us: p99Ms } = percentiles(samples);
  return { medianMs, p99Ms, count };
}

/** Measures `queries` `get` queries and `updates` `increment` updates after a warm-up. */
export async function measureAgentRoundTrips(
  wasm: Uint8Array,
  options: { queries: number; updates: number },
): Promise<{ query: RoundTrips; update: RoundTrips }> {
  // Updates one after the other, each as soon as the previous one is answered: no round pacing, so the figure
  // is the devnet's own speed rather than its round interval.
  const devnet = await startDevnet({ roundIntervalMs: 0 });
  try {
    const canisterId = await devnet.install({ wasm, arg: counterInitArg('bench') });
    const agent = await HttpAgent.create({
      host: devnet.url,
      identity: Ed25519KeyIdentity.generate(),
      shouldFetchRootKey: true,
      verifyQuerySignatures: true,
    });
    const counter = Actor.createActor<CounterActor>(counterIdlFactory, { agent, canisterId });
    // Warm-up: the agent fetches the subnet's node keys on its first query; V8 tiers up the hot paths.
    for (let i = 0; i < 10; i++) await counter.get();
    for (let i = 0; i < 5; i++) await counter.increment();
    const query = await time(options.queries, () => counter.get());
    const before = await counter.get();
    const update = await time(options.updates, () => counter.increment());
    if ((await counter.get()) !== before + BigInt(options.updates)) throw new Error('bench: updates were lost');
    return { query, update };
  } finally {
    await devnet.close();
  }
}
