/**
 * The chat canister (Azle 0.33): ic-ws-canister for the connections, a {@link ChatRoom} for the chat. The
 * last 50 posts and the nicknames live in `StableBTreeMap`s at memory ids 0 and 1; ic-ws-canister keeps its
 * connection state at 250-253, so an upgrade keeps the chat and the connected clients.
 */
import * as azle from 'azle';
import { StableBTreeMap, init, postUpgrade, query, update } from 'azle';
import type { IcWebSocketCanister } from 'ic-ws-canister';
import { createAzleWsCanister, wsMethodTypes } from 'ic-ws-canister/azle';
import type {
  CanisterWsCloseArguments,
  CanisterWsGetMessagesArguments,
  CanisterWsMessageArguments,
  CanisterWsOpenArguments,
} from 'ic-ws-protocol';
import { ChatEntryIdl, ChatMessageIdl, type ChatEntry, type ChatMessage } from '../shared/chat-message';
import { ChatHistory } from './chat-history';
import { ChatRoom } from './chat-room';
import { NicknameBook } from './nickname-book';
import { entrySerializer, idSerializer, textSerializer } from './stable-serializers';

const HISTORY_MEMORY_ID = 0;
const NICKNAMES_MEMORY_ID = 1;

const t = wsMethodTypes(ChatMessageIdl);
let ws: IcWebSocketCanister<ChatMessage>;
let history: ChatHistory;

// Called from init and post_upgrade, never at module level: azle also evaluates the module at build time,
// where there is no stable memory.
function start(): void {
  history = new ChatHistory(new StableBTreeMap<bigint, ChatEntry>(HISTORY_MEMORY_ID, idSerializer, entrySerializer));
  const nicknames = new NicknameBook(new StableBTreeMap<string, string>(NICKNAMES_MEMORY_ID, textSerializer, textSerializer));
  const room = new ChatRoom({
    // `ws` is assigned just below; the room only uses it from the handlers, once it exists.
    socket: {
      send: (to, message) => ws.send(to, message),
      broadcast: (message) => ws.broadcast(message),
      clients: () => ws.clients(),
      connectionsOf: (principal) => ws.connectionsOf(principal),
    },
    history,
    nicknames,
    now: () => azle.time(),
  });
  ws = createAzleWsCanister(azle, {
    appMessageIdl: ChatMessageIdl,
    onOpen: (client) => room.handleOpen(client),
    onMessage: (client, message) => room.handleMessage(client, message),
    onClose: (client) => room.handleClose(client),
  });
}

export default class {
  @init([])
  init(): void {
    start();
  }

  @postUpgrade([])
  postUpgrade(): void {
    start();
  }

  @update(t.ws_open.args, t.ws_open.ret)
  ws_open(args: CanisterWsOpenArguments) {
    return ws.wsOpen(args);
  }

  @update(t.ws_close.args, t.ws_close.ret)
  ws_close(args: CanisterWsCloseArguments) {
    return ws.wsClose(args);
  }

  @update(t.ws_message.args, t.ws_message.ret)
  ws_message(args: CanisterWsMessageArguments, _appMessage: [] | [ChatMessage]) {
    return ws.wsMessage(args);
  }

  @query(t.ws_get_messages.args, t.ws_get_messages.ret)
  ws_get_messages(args: CanisterWsGetMessagesArguments) {
    return ws.wsGetMessages(args);
  }

  /** The kept posts, oldest first: for tools and tests; clients get them in their Welcome. */
  @query([], azle.IDL.Vec(ChatEntryIdl))
  history(): ChatEntry[] {
    return history.recent();
  }

  /** Number of open connections. */
  @query([], azle.IDL.Nat32)
  connection_count(): number {
    return ws.clients().length;
  }
}
