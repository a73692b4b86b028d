import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Actor, HttpAgent } from '@dfinity/agent';
import type { Principal } from '@dfinity/principal';
import { buildAzleCanister } from 'ic-ws-devnet';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * Builds (cached by input hash) the ping-pong canister. The canister library's and the protocol's sources
 * are inputs too: the canister compiles them from source, so their changes rebuild it.
 */
export async function buildPingPong(): Promise<Uint8Array> {
  const built = await buildAzleCanister({
    dfxJsonDir: here('../..'),
    name: 'ping_pong',
    extraInputs: [here('../../../../packages/canister/src'), here('../../../../packages/protocol/src')],
  });
  return new Uint8Array(await readFile(built.wasmPath));
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
