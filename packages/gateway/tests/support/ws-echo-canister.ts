import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Actor, HttpAgent } from '@dfinity/agent';
import type { Principal } from '@dfinity/principal';
import { buildAzleCanister, type BuiltAzleCanister } from 'ic-ws-devnet';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * Builds (cached by input hash) the ws-echo test canister: ic-ws-canister bound to Azle, echoing text.
 * Its inputs include the canister library's and the protocol's sources, so their changes rebuild it.
 */
export async function buildWsEcho(): Promise<Uint8Array> {
  return new Uint8Array(await readFile((await buildWsEchoCanister()).wasmPath));
}

/** The same build, with the paths of its wasm and its generated .did. */
export function buildWsEchoCanister(): Promise<BuiltAzleCanister> {
  return buildAzleCanister({
    dfxJsonDir: here('../canisters/ws-echo'),
    name: 'ws_echo',
    extraInputs: [here('../../../canister/src'), here('../../../protocol/src')],
  });
}

/** The ws-echo canister's own (non-WebSocket) methods. */
export interface WsEchoActor {
  broadcast(message: string): Promise<number>;
  /** Queues `count` messages (`<text>-<i>`) round-robin over the connected clients, in one call. */
  flood(count: number, text: string): Promise<number>;
  clientCount(): Promise<number>;
}

/** An actor for the ws-echo canister's own methods, verifying certificates against the devnet's root key. */
export async function wsEchoActor(url: string, canisterId: Principal): Promise<WsEchoActor> {
  const agent = await HttpAgent.create({ host: url, shouldFetchRootKey: true });
  return Actor.createActor<WsEchoActor>(
    ({ IDL }) =>
      IDL.Service({
        broadcast: IDL.Func([IDL.Text], [IDL.Nat32], []),
        flood: IDL.Func([IDL.Nat32, IDL.Text], [IDL.Nat32], []),
        clientCount: IDL.Func([], [IDL.Nat32], ['query']),
      }),
    { agent, canisterId },
  );
}
