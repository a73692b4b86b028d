import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Actor, HttpAgent } from '@dfinity/agent';
import { IDL } from '@dfinity/candid';
import type { Principal } from '@dfinity/principal';
import { CanisterWsMessageArgumentsIdl, CanisterWsMessageResultIdl, ClientKeyIdl, type ClientKey } from 'ic-ws-protocol';
import { buildAzleCanister, type BuiltAzleCanister } from 'ic-ws-devnet';
import { ChatMessageIdl, type ChatMessage } from './chat-message';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export { ChatMessageIdl, type ChatMessage };

/** The canister's ack interval (`sendAckIntervalMs`): 61 s, the smallest ic-ws-canister accepts. */
export const CHAT_ACK_INTERVAL_MS = 61_000;
/** The canister's keep-alive timeout after each ack. */
export const CHAT_KEEP_ALIVE_TIMEOUT_MS = 30_000;

/** The ws-chat canister's IDL factory, as dfx would generate it (the app type sits in `ws_message`). */
export const wsChatIdlFactory: IDL.InterfaceFactory = ({ IDL: idl }) => {
  const ClosedClient = idl.Record({ client_key: ClientKeyIdl, reason: idl.Text });
  return idl.Service({
    ws_message: idl.Func([CanisterWsMessageArgumentsIdl, idl.Opt(ChatMessageIdl)], [CanisterWsMessageResultIdl], []),
    broadcast: idl.Func([ChatMessageIdl], [idl.Nat32], []),
    connectedClients: idl.Func([], [idl.Vec(ClientKeyIdl)], ['query']),
    closedClients: idl.Func([], [idl.Vec(ClosedClient)], ['query']),
    receivedTexts: idl.Func([], [idl.Vec(idl.Text)], ['query']),
  });
};

/** Builds (cached by input hash) the ws-chat test canister: ic-ws-canister on Azle, record messages, 61 s acks. */
export async function buildWsChat(): Promise<Uint8Array> {
  return new Uint8Array(await readFile((await buildWsChatCanister()).wasmPath));
}

/** The same build, with the paths of its wasm and its generated .did. */
export function buildWsChatCanister(): Promise<BuiltAzleCanister> {
  return buildAzleCanister({
    dfxJsonDir: here('../canisters/ws-chat'),
    name: 'ws_chat',
    extraInputs: [here('../../../canister/src'), here('../../../protocol/src')],
  });
}

/** The ws-chat canister's own (non-WebSocket) methods. */
export interface WsChatActor {
  broadcast(message: ChatMessage): Promise<number>;
  connectedClients(): Promise<ClientKey[]>;
  closedClients(): Promise<{ client_key: ClientKey; reason: string }[]>;
  /** The text of every app message the handler took, in order. */
  receivedTexts(): Promise<string[]>;
}

/** The ws-chat canister's init argument: optionally, the only gateways it accepts. */
export function wsChatInitArg(gateways?: readonly Principal[]): Uint8Array {
  const InitArg = IDL.Opt(IDL.Record({ gateways: IDL.Vec(IDL.Principal) }));
  return new Uint8Array(IDL.encode([InitArg], [gateways === undefined ? [] : [{ gateways }]]));
}

/** An actor for the ws-chat canister's own methods, verifying certificates against the devnet's root key. */
export async function wsChatActor(url: string, canisterId: Principal, rootKey: Uint8Array): Promise<WsChatActor> {
  const agent = await HttpAgent.create({ host: url, rootKey });
  return Actor.createActor<WsChatActor>(wsChatIdlFactory, { agent, canisterId });
}
