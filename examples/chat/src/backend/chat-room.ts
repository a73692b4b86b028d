import type { Principal } from '@dfinity/principal';
import type { ClientKey } from 'ic-ws-protocol';
import { MAX_TEXT_LENGTH, type ChatMessage, type Member } from '../shared/chat-message';
import type { ChatHistory } from './chat-history';
import { nicknameProblem, type NicknameBook } from './nickname-book';

/** The part of `IcWebSocketCanister<ChatMessage>` the room uses. */
export interface ChatSocket {
  send(to: ClientKey, message: ChatMessage): void;
  broadcast(message: ChatMessage): number;
  clients(): ClientKey[];
  connectionsOf(principal: Principal): ClientKey[];
}

/** What the room is made of: the socket, the stores and the IC clock. */
export interface ChatRoomParts {
  socket: ChatSocket;
  history: ChatHistory;
  nicknames: NicknameBook;
  /** IC time, ns since the epoch. */
  now: () => bigint;
}

/**
 * The chat's logic, free of azle: the canister wires it to ic-ws-canister's `onOpen`/`onMessage`/`onClose`.
 * A principal is a member while it has at least one connection (several tabs share one identity), so
 * `Joined`/`Left` go out on its first connection and after its last.
 */
export class ChatRoom {
  constructor(private readonly parts: ChatRoomParts) {}

  /** A connection opened: welcome it with the history and who is online; announce a new member. */
  handleOpen(client: ClientKey): void {
    const { socket, history } = this.parts;
    const you = this.memberOf(client.client_principal);
    socket.send(client, { Welcome: { you, history: history.recent(), online: this.online() } });
    if (socket.connectionsOf(client.client_principal).length === 1) socket.broadcast({ Joined: you });
  }

  /** A verified message from a connection (ic-ws checked caller and sequence). */
  handleMessage(client: ClientKey, message: ChatMessage): void {
    if ('Post' in message) this.post(client, message.Post.text, message.Post.client_sent_at_ms);
    else if ('SetNickname' in message) this.rename(client, message.SetNickname.nickname);
    else this.reject(client, 'clients may only send Post and SetNickname');
  }

  /** A connection closed, whatever the reason: announce the member gone after its last connection. */
  handleClose(client: ClientKey): void {
    if (this.parts.socket.connectionsOf(client.client_principal).length === 0) {
      this.parts.socket.broadcast({ Left: this.memberOf(client.client_principal) });
    }
  }

  private post(client: ClientKey, raw: string, clientSentAtMs: bigint): void {
    const text = raw.trim();
    if (text.length === 0) return this.reject(client, 'a message cannot be empty');
    if ([...text].length > MAX_TEXT_LENGTH) return this.reject(client, `a message has at most ${MAX_TEXT_LENGTH} characters`);
    const entry = this.parts.history.append({
      from: client.client_principal,
      nickname: this.parts.nicknames.nicknameOf(client.client_principal),
      text,
      sent_at_ns: this.parts.now(),
      client_sent_at_ms: [clientSentAtMs],
    });
    this.parts.socket.broadcast({ Posted: entry });
  }

  private rename(client: ClientKey, raw: string): void {
    const nickname = raw.trim();
    const problem = nicknameProblem(nickname);
    if (problem !== undefined) return this.reject(client, problem);
    const previous = this.parts.nicknames.nicknameOf(client.client_principal);
    if (previous === nickname) return;
    this.parts.nicknames.set(client.client_principal, nickname);
    this.parts.socket.broadcast({ Renamed: { member: { principal: client.client_principal, nickname }, previous } });
  }

  private reject(client: ClientKey, reason: string): void {
    this.parts.socket.send(client, { Rejected: { reason } });
  }

  private memberOf(principal: Principal): Member {
    return { principal, nickname: this.parts.nicknames.nicknameOf(principal) };
  }

  /** One entry per connected principal, in order of their oldest connection. */
  private online(): Member[] {
    const seen = new Map<string, Principal>();
    for (const key of this.parts.socket.clients()) seen.set(key.client_principal.toText(), key.client_principal);
    return [...seen.values()].map((principal) => this.memberOf(principal));
  }
}
