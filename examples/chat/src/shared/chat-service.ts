/**
 * The chat canister's Candid interface, declared once: the four ws_* methods of ic-ws (for the chat's
 * message type) and the chat's own two queries. The canister declares its queries with
 * {@link CHAT_METHODS}; clients create actors with {@link chatIdlFactory}, which is what `dfx generate`
 * would write: it builds every type with the `IDL` it is handed, so agents on another @dfinity/candid
 * version (ic-websocket-js 0.5 runs 2.x) use it too. A test checks it against the .did azle generates.
 */
import type { ActorMethod } from '@dfinity/agent';
import { IDL } from '@dfinity/candid';
import { idlFactoryOf, wsServiceFields, type WsServiceSignatures } from 'ic-ws-protocol';
import { ChatEntryIdl, ChatMessageIdl, type ChatEntry, type ChatMessage } from './chat-message';

/** The chat's own methods (beyond the ws_* ones). */
export const CHAT_METHODS = {
  /** The kept posts, oldest first. */
  history: IDL.Func([], [IDL.Vec(ChatEntryIdl)], ['query']),
  /** Number of open connections. */
  connection_count: IDL.Func([], [IDL.Nat32], ['query']),
};

/** The whole service: `service : { ws_open; ws_close; ws_message; ws_get_messages; history; connection_count }`. */
export const ChatServiceIdl = IDL.Service({ ...wsServiceFields(ChatMessageIdl), ...CHAT_METHODS });

/** The interface factory of the chat canister, for `Actor.createActor`. */
export const chatIdlFactory: IDL.InterfaceFactory = idlFactoryOf(ChatServiceIdl);

/** The chat's methods as TypeScript signatures: the ws_* ones for its message type, and its own. */
interface ChatSignatures extends WsServiceSignatures<ChatMessage> {
  history(): ChatEntry[];
  connection_count(): number;
}

/** The chat canister's service as an actor sees it (what `dfx generate` types as `_SERVICE`). */
export type ChatService = {
  [K in keyof ChatSignatures]: ActorMethod<Parameters<ChatSignatures[K]>, ReturnType<ChatSignatures[K]>>;
};
