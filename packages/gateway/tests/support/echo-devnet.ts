import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Principal } from '@dfinity/principal';
import { startDevnet, type Devnet, type DevnetOptions } from 'ic-ws-devnet';
import { afterAll, beforeAll } from 'vitest';
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

/** A test file's ws-echo devnet and a temporary folder (gateway identity files), see {@link useEchoDevnetWithDir}. */
export interface EchoDevnetWithDir extends EchoDevnet {
  /** A fresh temporary folder, removed after the file's tests. */
  dir: string;
}

/**
 * Registers the file's `beforeAll`/`afterAll` hooks: starts the ws-echo devnet ({@link startEchoDevnet}) and
 * makes a temporary folder named from `prefix` before the tests; closes the devnet and removes the folder after.
 * The returned object's fields are set once the hooks have run (read them inside tests, not at import).
 */
export function useEchoDevnetWithDir(prefix: string): EchoDevnetWithDir {
  const env = {} as EchoDevnetWithDir;
  beforeAll(async () => {
    Object.assign(env, await startEchoDevnet());
    env.dir = await mkdtemp(join(tmpdir(), prefix));
  }, 120_000);
  afterAll(async () => {
    await env.devnet?.close();
    if (env.dir) await rm(env.dir, { recursive: true, force: true });
  });
  return env;
}
