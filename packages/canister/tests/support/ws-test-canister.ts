/**
 * Builds (cached) and installs the ws-test canister (tests/canisters/ws-test), and describes its interface.
 * The canister imports this package and ic-ws-protocol from source (tsconfig paths, which esbuild follows),
 * so their src folders are build inputs: editing the library rebuilds the wasm, and no `dist/` is needed.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { IDL } from '@dfinity/candid';
import type { Principal } from '@dfinity/principal';
import { wsServiceMethods } from 'ic-ws-protocol';
import { buildAzleCanister, type BuiltAzleCanister, type Devnet } from 'ic-ws-devnet';
import { AppMessageIdl, InitArgIdl, WS_TEST_APP_METHODS, type InitArg, type InitOptions } from '../canisters/ws-test/src/ws-test-idl';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** Folder holding the ws-test canister's dfx.json. */
export const WS_TEST_DIR = here('../canisters/ws-test');

/** Builds the canister (a cache hit unless it or the library changed) and reads its wasm. */
export async function buildWsTestCanister(): Promise<BuiltAzleCanister & { wasm: Uint8Array }> {
  const built = await buildAzleCanister({
    dfxJsonDir: WS_TEST_DIR,
    name: 'ws_test',
    extraInputs: [here('../../src'), here('../../../protocol/src'), here('../../tsconfig.json'), here('../../../../tsconfig.base.json')],
  });
  return { ...built, wasm: new Uint8Array(await readFile(built.wasmPath)) };
}

/** Candid init/post_upgrade argument; fields not given keep the library defaults. */
export function wsTestInitArg(options?: Partial<Record<keyof InitOptions, number>>): Uint8Array {
  const opt = (value: number | undefined): [] | [number] => (value === undefined ? [] : [value]);
  const arg: InitArg =
    options === undefined
      ? []
      : [
          {
            send_ack_interval_ms: opt(options.send_ack_interval_ms),
            keep_alive_timeout_ms: opt(options.keep_alive_timeout_ms),
            max_messages_per_poll: opt(options.max_messages_per_poll),
            max_reply_bytes: opt(options.max_reply_bytes),
          },
        ];
  return new Uint8Array(IDL.encode([InitArgIdl], [arg]));
}

/** Installs a fresh ws-test canister and runs the 0 s timer azle arms at init. */
export async function installWsTest(devnet: Devnet, wasm: Uint8Array, options?: Parameters<typeof wsTestInitArg>[0]): Promise<Principal> {
  const canisterId = await devnet.install({ wasm, arg: wsTestInitArg(options) });
  await devnet.tick();
  return canisterId;
}

/** Interface factory of the whole canister: the four ws_* methods plus the app methods. */
export const wsTestIdlFactory: IDL.InterfaceFactory = () => {
  const fields: Record<string, IDL.FuncClass> = {};
  const methods = { ...wsServiceMethods(AppMessageIdl), ...WS_TEST_APP_METHODS };
  for (const [name, method] of Object.entries(methods)) {
    const ret: [IDL.Type] | [IDL.Type, ...IDL.Type[]] = 'retTypes' in method ? method.retTypes : [method.ret];
    // IDL.Func wants a tuple type; these arrays are ones.
    const args = ('argTypes' in method ? method.argTypes : method.args) as [] | [IDL.Type, ...IDL.Type[]];
    fields[name] = IDL.Func(args, ret, method.query ? ['query'] : []);
  }
  return IDL.Service(fields);
};
