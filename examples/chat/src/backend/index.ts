/**
 * The chat canister (Azle 0.33): ic-ws-canister for the connections, a {@link ChatRoom} for the chat. The
 * last 50 posts and the nicknames live in `StableBTreeMap`s at memory ids 0 and 1; ic-ws-canister keeps its
 * connection state at 250-253, so an upgrade keeps the chat and the connected clients.
 */
import * as azle from 'azle';
import { StableBTreeMap, query } from 'azle';
import { defineWsCanister } from 'ic-ws-canister/azle';
import { ChatMessageIdl, type ChatEntry, type ChatMessage } from '../shared/chat-message';
import { CHAT_METHODS } from '../shared/chat-service';
import { ChatHistory } from './chat-history';
import { ChatRoom } from './chat-room';
import { NicknameBook } from './nickname-book';
import { entrySerializer, idSerializer, textSerializer } from './stable-serializers';

const HISTORY_MEMORY_ID = 0;
const NICKNAMES_MEMORY_ID = 1;

// Opened in onStart (init and post_upgrade): stable memory does not exist at module level, where azle
// also evaluates this file at build time.
let history: ChatHistory;
let room: ChatRoom;

const ws = defineWsCanister<ChatMessage>(azle, {
  appMessageIdl: ChatMessageIdl,
  onStart: () => {
    history = new ChatHistory(new StableBTreeMap<bigint, ChatEntry>(HISTORY_MEMORY_ID, idSerializer, entrySerializer));
    const nicknames = new NicknameBook(new StableBTreeMap<string, string>(NICKNAMES_MEMORY_ID, textSerializer, textSerializer));
    room = new ChatRoom({ socket: ws, history, nicknames, now: () => azle.time() });
  },
  onOpen: (client) => room.handleOpen(client),
  onMessage: (client, message) => room.handleMessage(client, message),
  onClose: (client) => room.handleClose(client),
});

export default class extends ws.Canister {
  /** The kept posts, oldest first: for tools and tests; clients get them in their Welcome. */
  @query(CHAT_METHODS.history.argTypes, CHAT_METHODS.history.retTypes[0])
  history(): ChatEntry[] {
    return history.recent();
  }

  /** Number of open connections. */
  @query(CHAT_METHODS.connection_count.argTypes, CHAT_METHODS.connection_count.retTypes[0])
  connection_count(): number {
    return ws.clients().length;
  }
}
