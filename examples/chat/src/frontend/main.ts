/**
 * The chat page: loads the config, the browser's identity, and opens an `IcWebSocket` to the chat canister
 * through the gateway. Every message shown has passed the client's checks (IC certificate, witness, hash,
 * sequence number) before the `message` event fires; every message sent is signed with this identity.
 */
import { IcWebSocket, IcWsClientError, localStorageOutboxStore, type IcWsStateChangeEvent } from 'ic-ws-client';
import { ChatMessageIdl, type ChatMessage } from '../shared/chat-message';
import { loadChatConfig } from './chat-config';
import { ChatState } from './chat-state';
import { ChatView } from './chat-view';
import { connectionDetail } from './connection-status';
import { loadOrCreateIdentity } from './identity-store';
import './styles.css';

async function main(): Promise<void> {
  const view = new ChatView();
  let config;
  try {
    config = await loadChatConfig();
  } catch (error) {
    view.showConnection('closed', 'no configuration');
    view.showProblem(`${String(error)}. Start it with \`npm run dev\` (\`pnpm dev\` at the ic-ws repository's root).`);
    return;
  }
  const identity = loadOrCreateIdentity(localStorage);
  const state = new ChatState();
  const ws = new IcWebSocket<ChatMessage>({
    gatewayUrl: config.gatewayUrl,
    canisterId: config.canisterId,
    networkUrl: config.networkUrl,
    identity,
    appMessageIdl: ChatMessageIdl,
    // Keep trying while the gateway or the devnet restarts: a demo tab should come back on its own.
    reconnect: true,
    reconnectMaxAttempts: 1000,
    reconnectMaxDelayMs: 5000,
    // Posts not acknowledged yet survive a reload: the next page re-sends them, and the canister drops any it
    // already took.
    outbox: localStorageOutboxStore({ prefix: 'ic-ws-chat/outbox' }),
  });

  ws.addEventListener('statechange', (event: IcWsStateChangeEvent) => view.showConnection(event.state, connectionDetail(event)));
  // Every post gets a mark: waiting, on its way, taken by the canister, or failed (and why). The first event of
  // each comes from within send(), so a new post shows at once.
  ws.addEventListener('delivery', (event) => {
    state.trackDelivery(event.message);
    view.render(state);
  });
  ws.addEventListener('open', () => view.showVerifier(ws.blsVerifier));
  ws.addEventListener('message', (event) => {
    state.apply(event.data);
    view.render(state);
  });
  ws.addEventListener('close', (event) => view.showProblem(`Disconnected: ${event.reason}`));

  // send() refuses only when the outbox is full or the socket closed for good; say so rather than lose the text.
  const attempt = (send: () => void): boolean => {
    try {
      send();
      return true;
    } catch (error) {
      if (!(error instanceof IcWsClientError)) throw error;
      view.showProblem(`Not sent: ${error.message}`);
      return false;
    }
  };
  view.onPost((text) => attempt(() => ws.send({ Post: { text, client_sent_at_ms: state.notePostSent() } })));
  view.onNickname((nickname) => void attempt(() => ws.send({ SetNickname: { nickname } })));
  view.showConnection(ws.state, `gateway ${config.gatewayUrl}`);
}

void main();
