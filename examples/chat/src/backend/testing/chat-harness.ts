/**
 * The chat room over the real ic-ws-canister core with a fake runtime (`FakeCanisterHost`) and a fake
 * gateway that verifies every reply as a client would: what these tests see is what browsers would get.
 */
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { createWsCanister, type IcWebSocketCanister } from 'ic-ws-canister';
import { FakeCanisterHost, FakePollingGateway } from 'ic-ws-canister/testing';
import type { CanisterWsMessageResult, ClientKey } from 'ic-ws-protocol';
import { ChatMessageIdl, type ChatMessage } from '../../shared/chat-message';
import { ChatHistory } from '../chat-history';
import { ChatRoom } from '../chat-room';
import { NicknameBook } from '../nickname-book';
import { entrySerializer, idSerializer, textSerializer } from '../stable-serializers';
import { SortedByteMap } from './sorted-byte-map';

const GATEWAY = Principal.fromUint8Array(Uint8Array.of(0x22, 1));

/** A distinct client principal per number. */
export function user(n: number): Principal {
  return Principal.fromUint8Array(Uint8Array.of(0x11, n, 1));
}

/** A running chat canister core and helpers acting on it. */
export interface ChatHarness {
  host: FakeCanisterHost;
  ws: IcWebSocketCanister<ChatMessage>;
  /** Opens connection `nonce` of user `n`. */
  open(n: number, nonce?: bigint): ClientKey;
  /** Sends an app message from a connection (sequence numbers are tracked per connection). */
  say(client: ClientKey, message: ChatMessage): CanisterWsMessageResult;
  /** The gateway closes a connection (`ws_close`). */
  close(client: ClientKey): void;
  /** Polls every queued app message, verified: [`u<n>:<nonce>` it went to, the message]. */
  received(): [string, ChatMessage][];
}

/** A fresh chat keeping `historyLength` posts. */
export function chatHarness(historyLength = 50): ChatHarness {
  const host = new FakeCanisterHost({ nowNs: 1_700_000_000_000_000_000n });
  const history = new ChatHistory(new SortedByteMap(idSerializer, entrySerializer), historyLength);
  const nicknames = new NicknameBook(new SortedByteMap(textSerializer, textSerializer));
  let ws: IcWebSocketCanister<ChatMessage>;
  const room = new ChatRoom({
    socket: { send: (to, m) => ws.send(to, m), broadcast: (m) => ws.broadcast(m), clients: () => ws.clients(), connectionsOf: (p) => ws.connectionsOf(p) },
    history,
    nicknames,
    now: () => host.time(),
  });
  ws = createWsCanister(host, {
    appMessageIdl: ChatMessageIdl,
    onOpen: (client) => room.handleOpen(client),
    onMessage: (client, message) => room.handleMessage(client, message),
    onClose: (client) => room.handleClose(client),
  });
  ws.start();
  const gateway = new FakePollingGateway(GATEWAY, ws, host, ChatMessageIdl);
  const sequences = new Map<string, bigint>();
  const id = (key: ClientKey) => `${key.client_principal.toText()}:${key.client_nonce}`;
  return {
    host,
    ws,
    open(n, nonce = 1n) {
      const result = ws.wsOpen({ client_nonce: nonce, gateway_principal: GATEWAY }, user(n));
      if (!('Ok' in result)) throw new Error(`ws_open failed: ${result.Err}`);
      return { client_principal: user(n), client_nonce: nonce };
    },
    say(client, message) {
      const sequenceNum = (sequences.get(id(client)) ?? 0n) + 1n;
      sequences.set(id(client), sequenceNum);
      const content = new Uint8Array(IDL.encode([ChatMessageIdl], [message]));
      const msg = { client_key: client, sequence_num: sequenceNum, timestamp: host.time(), is_service_message: false, content };
      return ws.wsMessage({ msg }, client.client_principal);
    },
    close(client) {
      ws.wsClose({ client_key: client }, GATEWAY);
    },
    received() {
      return gateway
        .pollAll()
        .filter((m) => m.app !== undefined)
        // `u<n>:<nonce>`: user number and connection, for readable assertions.
        .map((m) => [`u${m.clientKey.client_principal.toUint8Array()[1]}:${m.clientKey.client_nonce}`, m.app as ChatMessage]);
    },
  };
}
