/**
 * The chat's application message: one Candid variant for both directions, because an ic-ws connection has
 * one app message type (`appMessageIdl` of the canister and of `IcWebSocket`). Shared by the canister (bundled
 * by azle) and the frontend (bundled by Vite); it imports only @dfinity/candid, so tsc checks it.
 *
 * ```candid
 * type ChatEntry = record { id : nat64; from : principal; nickname : text; text : text;
 *                           sent_at_ns : nat64; client_sent_at_ms : opt nat64 };
 * type Member = record { principal : principal; nickname : text };
 * type ChatMessage = variant {
 *   Post : record { text : text; client_sent_at_ms : nat64 };          // client -> canister
 *   SetNickname : record { nickname : text };                          // client -> canister
 *   Welcome : record { you : Member; history : vec ChatEntry; online : vec Member };
 *   Posted : ChatEntry;
 *   Joined : Member;
 *   Left : Member;
 *   Renamed : record { member : Member; previous : text };
 *   Rejected : record { reason : text };
 * };
 * ```
 */
import { IDL } from '@dfinity/candid';
import type { Principal } from '@dfinity/principal';

/** Longest post, in characters. */
export const MAX_TEXT_LENGTH = 500;
/** Longest nickname, in characters. */
export const MAX_NICKNAME_LENGTH = 32;
/** How many posts the canister keeps (and sends to a client when it connects). */
export const HISTORY_LENGTH = 50;

/** One post as stored and broadcast. */
export interface ChatEntry {
  /** Position in the chat, from 0. */
  id: bigint;
  from: Principal;
  /** The author's nickname when posting. */
  nickname: string;
  text: string;
  /** IC time of the post, ns since the epoch. */
  sent_at_ns: bigint;
  /** The author's clock when sending (ms): the author measures the round trip with it. */
  client_sent_at_ms: [] | [bigint];
}

/** A connected principal and its nickname. */
export interface Member {
  principal: Principal;
  nickname: string;
}

/** Every chat message; the first two go from client to canister, the others from canister to client. */
export type ChatMessage =
  | { Post: { text: string; client_sent_at_ms: bigint } }
  | { SetNickname: { nickname: string } }
  | { Welcome: { you: Member; history: ChatEntry[]; online: Member[] } }
  | { Posted: ChatEntry }
  | { Joined: Member }
  | { Left: Member }
  | { Renamed: { member: Member; previous: string } }
  | { Rejected: { reason: string } };

/** Candid type of {@link ChatEntry}. */
export const ChatEntryIdl = IDL.Record({
  id: IDL.Nat64,
  from: IDL.Principal,
  nickname: IDL.Text,
  text: IDL.Text,
  sent_at_ns: IDL.Nat64,
  client_sent_at_ms: IDL.Opt(IDL.Nat64),
});

/** Candid type of {@link Member}. */
export const MemberIdl = IDL.Record({ principal: IDL.Principal, nickname: IDL.Text });

/** Candid type of {@link ChatMessage}: the `appMessageIdl` of both sides. */
export const ChatMessageIdl: IDL.Type<ChatMessage> = IDL.Variant({
  Post: IDL.Record({ text: IDL.Text, client_sent_at_ms: IDL.Nat64 }),
  SetNickname: IDL.Record({ nickname: IDL.Text }),
  Welcome: IDL.Record({ you: MemberIdl, history: IDL.Vec(ChatEntryIdl), online: IDL.Vec(MemberIdl) }),
  Posted: ChatEntryIdl,
  Joined: MemberIdl,
  Left: MemberIdl,
  Renamed: IDL.Record({ member: MemberIdl, previous: IDL.Text }),
  Rejected: IDL.Record({ reason: IDL.Text }),
}) as unknown as IDL.Type<ChatMessage>;

/** The nickname of a principal that has not chosen one: `guest-` and the first group of its text. */
export function defaultNickname(principal: Principal): string {
  return `guest-${principal.toText().slice(0, 5)}`;
}
