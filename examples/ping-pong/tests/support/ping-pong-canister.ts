import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Actor, HttpAgent } from '@dfinity/agent';
import type { Principal } from '@dfinity/principal';
import { buildCanisters } from 'ic-ws-devnet';

const projectDir = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Builds (cached by input hash) the ping-pong canister exactly as `npm run dev` and `npm run build` do, so
 * they share one cached wasm instead of rebuilding each other's.
 */
export async function buildPingPong(): Promise<Uint8Array> {
  const [pingPong] = await buildCanisters({ projectDir, canisters: ['ping_pong'] });
  return new Uint8Array(await readFile(pingPong!.wasmPath));
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
