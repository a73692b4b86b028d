import { fileURLToPath } from 'node:url';
import { Actor, HttpAgent } from '@dfinity/agent';
import type { Principal } from '@dfinity/principal';
import { buildDemoCanister, DEMO_CANISTERS } from '../../../../scripts/dev/demo-canisters';

const repoRoot = fileURLToPath(new URL('../../../..', import.meta.url));

/**
 * Builds (cached by input hash) the ping-pong canister, with the same inputs as `pnpm dev`, so the test and
 * the demo share one cached wasm instead of rebuilding each other's.
 */
export async function buildPingPong(): Promise<Uint8Array> {
  const spec = DEMO_CANISTERS.find((canister) => canister.name === 'ping_pong');
  if (spec === undefined) throw new Error('scripts/dev/demo-canisters.ts lists no ping_pong canister');
  return (await buildDemoCanister(repoRoot, spec)).wasm;
}

/** The ping-pong canister's own query. */
export interface PingPongStatsActor {
  stats(): Promise<{ clients: number; pongs: number }>;
}

/** An actor for `stats`, verifying the devnet's signed query answers. */
export async function pingPongStatsActor(networkUrl: string, canisterId: Principal): Promise<PingPongStatsActor> {
  const agent = await HttpAgent.create({ host: networkUrl, shouldFetchRootKey: true });
  return Actor.createActor<PingPongStatsActor>(
    ({ IDL }) => IDL.Service({ stats: IDL.Func([], [IDL.Record({ clients: IDL.Nat32, pongs: IDL.Nat32 })], ['query']) }),
    { agent, canisterId },
  );
}
