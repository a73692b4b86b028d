/**
 * The chat canister of examples/chat (ic-ws-canister on Azle), built offline, and its interface from the
 * example's own export. ic-websocket-js reads the app message type from `ws_message`'s second argument
 * (`opt ChatMessage`) of the actor's interface.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { ActorMethod } from '@dfinity/agent';
import type { IDL } from '@dfinity/candid';
import type { Principal } from '@dfinity/principal';
import type * as Example from '../../../examples/chat/src/shared/chat-message';
import { chatIdlFactory as exampleIdlFactory, type ChatService as ExampleService } from '../../../examples/chat/src/shared/chat-service';
import { buildCanisters } from 'ic-ws-devnet';

const chatDir = fileURLToPath(new URL('../../../examples/chat', import.meta.url));

/**
 * The chat wasm, built (or taken from the cache) exactly as the example's own `npm run build` and tests do,
 * so they share it. It compiles in the built ic-ws-canister and ic-ws-protocol (turbo builds them first).
 */
export async function buildChat(): Promise<Uint8Array> {
  const [chat] = await buildCanisters({ projectDir: chatDir, canisters: ['chat'] });
  return new Uint8Array(await readFile(chat!.wasmPath));
}

// The chat's interface comes from the example itself, whose types are written against @dfinity 3.x. Its
// interface factory builds every type with the IDL it is handed, so at run time it serves agent 2.x as
// is; only the compile-time types of the two versions differ (their Principal classes are distinct
// types), which the declarations below bridge.

/**
 * `T` as agent 2.x types it (what `dfx generate` writes for 2.x): the example's (3.x) principals as 2.x
 * principals, and `blob` as `Uint8Array | number[]`.
 */
type With2xPrincipals<T> = T extends Principal | bigint | string | number | boolean | null | undefined
  ? T
  : T extends Uint8Array
    ? Uint8Array | number[]
    : T extends { toText(): string; toUint8Array(): Uint8Array }
      ? Principal
      : { [K in keyof T]: With2xPrincipals<T[K]> };

/** The example's interface factory, typed for @dfinity/agent 2.x. */
export const chatIdlFactory = exampleIdlFactory as unknown as IDL.InterfaceFactory;

/** The example's service type, for agent 2.x. */
export type ChatService = {
  [K in keyof ExampleService]: ExampleService[K] extends (...args: infer A) => Promise<infer R>
    ? ActorMethod<With2xPrincipals<A>, With2xPrincipals<R>>
    : never;
};
export type ChatMessage = With2xPrincipals<Example.ChatMessage>;
export type ChatEntry = With2xPrincipals<Example.ChatEntry>;
export type Member = With2xPrincipals<Example.Member>;
