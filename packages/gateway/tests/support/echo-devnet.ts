import type { Principal } from '@dfinity/principal';
import { startDevnet, type Devnet, type DevnetOptions } from 'ic-ws-devnet';
import { buildWsEcho, wsEchoActor, type WsEchoActor } from './ws-echo-canister';

/** One installed ws-echo canister. */
export interface InstalledWsEcho {
  canisterId: Principal;
  /** Its own methods, certificates checked against the devnet's root key. */
  echo: WsEchoActor;
}

/** A devnet running the ws-echo canister, for integration tests. */
export interface EchoDevnet extends InstalledWsEcho {
  devnet: Devnet;
  /** The ws-echo wasm installed, to install more instances or upgrade. */
  wasm: Uint8Array;
}

/** Installs the ws-echo `wasm` on `devnet` as a new canister. */
export async function installWsEcho(devnet: Devnet, wasm: Uint8Array): Promise<InstalledWsEcho> {
  const canisterId = await devnet.install({ wasm });
  return { canisterId, echo: await wsEchoActor(devnet.url, canisterId) };
}

/**
 * Builds the ws-echo canister (cached by input hash), starts a devnet with `options` and installs the
 * canister once. The caller closes `devnet`.
 */
export async function startEchoDevnet(options: DevnetOptions = {}): Promise<EchoDevnet> {
  const wasm = await buildWsEcho();
  const devnet = await startDevnet(options);
  return { devnet, wasm, ...(await installWsEcho(devnet, wasm)) };
}
