/**
 * The chat canister of examples/chat (ic-ws-canister on Azle), built offline, and its interface as the
 * public client sees it: a `dfx generate`-style IDL factory written with @dfinity/candid 2.x, the version
 * ic-websocket-js 0.5 runs with. It follows the .did azle emits for the canister; ic-websocket-js reads the
 * app message type from `ws_message`'s second argument (`opt ChatMessage`).
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { ActorMethod } from '@dfinity/agent';
import type { IDL as CandidIdl } from '@dfinity/candid';
import type { Principal } from '@dfinity/principal';
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

/** A chat member (candid 2.x decoding). */
export interface Member {
  principal: Principal;
  nickname: string;
}

/** A kept post. */
export interface ChatEntry {
  id: bigint;
  from: Principal;
  nickname: string;
  text: string;
  sent_at_ns: bigint;
  client_sent_at_ms: [] | [bigint];
}

/** The chat's app message. */
export type ChatMessage =
  | { Post: { text: string; client_sent_at_ms: bigint } }
  | { SetNickname: { nickname: string } }
  | { Welcome: { you: Member; history: ChatEntry[]; online: Member[] } }
  | { Posted: ChatEntry }
  | { Joined: Member }
  | { Left: Member }
  | { Renamed: { member: Member; previous: string } }
  | { Rejected: { reason: string } };

type WsResult = { Ok: null } | { Err: string };
type ClientKey = { client_principal: Principal; client_nonce: bigint };

/** The chat canister's service, typed as `dfx generate` types it. */
export interface ChatService {
  ws_open: ActorMethod<[{ client_nonce: bigint; gateway_principal: Principal }], WsResult>;
  ws_close: ActorMethod<[{ client_key: ClientKey }], WsResult>;
  ws_message: ActorMethod<
    [{ msg: { client_key: ClientKey; sequence_num: bigint; timestamp: bigint; is_service_message: boolean; content: Uint8Array | number[] } }, [] | [ChatMessage]],
    WsResult
  >;
  ws_get_messages: ActorMethod<[{ nonce: bigint }], unknown>;
  history: ActorMethod<[], ChatEntry[]>;
  connection_count: ActorMethod<[], number>;
}

/** The chat canister's IDL factory, as `dfx generate` writes it. */
export const chatIdlFactory: CandidIdl.InterfaceFactory = ({ IDL }) => {
  const ClientKey = IDL.Record({ client_principal: IDL.Principal, client_nonce: IDL.Nat64 });
  const Member = IDL.Record({ principal: IDL.Principal, nickname: IDL.Text });
  const ChatEntry = IDL.Record({
    id: IDL.Nat64,
    from: IDL.Principal,
    nickname: IDL.Text,
    text: IDL.Text,
    sent_at_ns: IDL.Nat64,
    client_sent_at_ms: IDL.Opt(IDL.Nat64),
  });
  const ChatMessage = IDL.Variant({
    Post: IDL.Record({ text: IDL.Text, client_sent_at_ms: IDL.Nat64 }),
    SetNickname: IDL.Record({ nickname: IDL.Text }),
    Welcome: IDL.Record({ you: Member, history: IDL.Vec(ChatEntry), online: IDL.Vec(Member) }),
    Posted: ChatEntry,
    Joined: Member,
    Left: Member,
    Renamed: IDL.Record({ member: Member, previous: IDL.Text }),
    Rejected: IDL.Record({ reason: IDL.Text }),
  });
  const WsResult = IDL.Variant({ Ok: IDL.Null, Err: IDL.Text });
  const WebsocketMessage = IDL.Record({
    client_key: ClientKey,
    sequence_num: IDL.Nat64,
    timestamp: IDL.Nat64,
    is_service_message: IDL.Bool,
    content: IDL.Vec(IDL.Nat8),
  });
  const CanisterOutputMessage = IDL.Record({ client_key: ClientKey, key: IDL.Text, content: IDL.Vec(IDL.Nat8) });
  const CanisterOutputCertifiedMessages = IDL.Record({
    messages: IDL.Vec(CanisterOutputMessage),
    cert: IDL.Vec(IDL.Nat8),
    tree: IDL.Vec(IDL.Nat8),
    is_end_of_queue: IDL.Bool,
  });
  return IDL.Service({
    ws_open: IDL.Func([IDL.Record({ client_nonce: IDL.Nat64, gateway_principal: IDL.Principal })], [WsResult], []),
    ws_close: IDL.Func([IDL.Record({ client_key: ClientKey })], [WsResult], []),
    ws_message: IDL.Func([IDL.Record({ msg: WebsocketMessage }), IDL.Opt(ChatMessage)], [WsResult], []),
    ws_get_messages: IDL.Func(
      [IDL.Record({ nonce: IDL.Nat64 })],
      [IDL.Variant({ Ok: CanisterOutputCertifiedMessages, Err: IDL.Text })],
      ['query'],
    ),
    history: IDL.Func([], [IDL.Vec(ChatEntry)], ['query']),
    connection_count: IDL.Func([], [IDL.Nat32], ['query']),
  });
};
