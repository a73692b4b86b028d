/**
 * Runs in Chromium (bundled by esbuild for the browser, @dfinity/* included): one IcWebSocket session from a
 * page, with an Ed25519 identity generated in the page and the platform WebSocket. The Node side of the test
 * calls `window.runIcWebSocket(config)` through `page.evaluate` and answers `window.askTest` (an exposed
 * function) when the page needs the canister to push something.
 */
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { IcWebSocket, localStorageOutboxStore, type DeliveryState, type IcWsCloseEvent, type OutgoingMessage } from 'ic-ws-client';
import { ChatMessageIdl, type ChatMessage } from '../support/chat-message';

/** What the test passes in. */
export interface PageConfig {
  gatewayUrl: string;
  canisterId: string;
  networkUrl: string;
  rootKeyHex: string;
}

/** What the page reports back (no bigint: it crosses page.evaluate as JSON). */
export interface PageResult {
  usedPlatformWebSocket: boolean;
  principal: string;
  clientNonce: string;
  openGatewayUrl: string;
  received: ChatMessage[];
  close: { code: number; wasClean: boolean; reason: string; error: string | null };
  errors: string[];
  /** `IcWebSocket.blsVerifier` at the end of the session. */
  blsVerifier: { kind: string; fallbackReason?: string } | null;
  /** The paths of the scripts the page loaded (the entry and any chunk loaded on demand). */
  loadedScripts: string[];
}

/** What `sendToOutbox` reports: the message's id and the states it took in this page. */
export interface OutboxSendResult {
  id: string;
  /** Every delivery state the message took, in order. */
  states: DeliveryState[];
  /** Keys of the page's localStorage once the page stopped. */
  storedKeys: string[];
  principal: string;
}

/** What `resumeOutbox` reports after a reload. */
export interface OutboxResumeResult {
  /** The messages announced as restored: id and text. */
  restored: { id: string; text: string }[];
  /** The delivery states each restored message took, in order, by id. */
  states: Record<string, DeliveryState[]>;
  storedKeys: string[];
  principal: string;
  errors: string[];
}

declare global {
  interface Window {
    runIcWebSocket(config: PageConfig): Promise<PageResult>;
    askTest(request: 'broadcast'): Promise<number>;
    /**
     * Sends `text` with a persistent outbox (localStorage) through `config.gatewayUrl` and stops once it is in
     * `until` (or the connection closed), or with `'reconnecting'` once the socket, reconnecting as apps do,
     * failed to reach the gateway: what a page does before the user reloads it.
     */
    sendToOutbox(config: PageConfig, text: string, until: DeliveryState | 'reconnecting'): Promise<OutboxSendResult>;
    /** After a reload: a new IcWebSocket over the same localStorage, until every restored message is final. */
    resumeOutbox(config: PageConfig): Promise<OutboxResumeResult>;
  }
}

const IDENTITY_KEY = 'test/identity';

/** The page's identity, kept in localStorage so a reload signs as the same principal. */
function storedIdentity(): Ed25519KeyIdentity {
  const stored = localStorage.getItem(IDENTITY_KEY);
  if (stored !== null) return Ed25519KeyIdentity.fromJSON(stored);
  const identity = Ed25519KeyIdentity.generate();
  localStorage.setItem(IDENTITY_KEY, JSON.stringify(identity.toJSON()));
  return identity;
}

function outboxSocket(config: PageConfig, reconnect: boolean): IcWebSocket<ChatMessage> {
  return new IcWebSocket<ChatMessage>({
    gatewayUrl: config.gatewayUrl,
    canisterId: config.canisterId,
    identity: storedIdentity(),
    networkUrl: config.networkUrl,
    rootKey: hexToBytes(config.rootKeyHex),
    appMessageIdl: ChatMessageIdl,
    reconnect,
    outbox: localStorageOutboxStore(),
  });
}

function storageKeys(): string[] {
  return Array.from({ length: localStorage.length }, (_, i) => localStorage.key(i) ?? '').filter((key) => key.startsWith('ic-ws-outbox/'));
}

window.sendToOutbox = async (config, text, until) => {
  const ws = outboxSocket(config, until === 'reconnecting');
  const states: DeliveryState[] = [];
  let message: OutgoingMessage<ChatMessage> | undefined;
  const reached = new Promise<void>((resolve) => {
    ws.addEventListener('delivery', (event) => {
      if (event.message !== message && message !== undefined) return;
      states.push(event.state);
      if (event.state === until) resolve();
    });
    ws.addEventListener('close', () => resolve());
    ws.addEventListener('statechange', (event) => {
      if (until === 'reconnecting' && event.state === 'reconnecting') resolve();
    });
  });
  message = ws.send({ text, count: 1, tags: ['outbox'] });
  await reached;
  return { id: message.id, states, storedKeys: storageKeys(), principal: storedIdentity().getPrincipal().toText() };
};

window.resumeOutbox = async (config) => {
  const ws = outboxSocket(config, true);
  const errors: string[] = [];
  ws.onerror = (event) => errors.push(`${event.error.code}: ${event.error.message}`);
  const restored: { id: string; text: string }[] = [];
  const states: Record<string, DeliveryState[]> = {};
  const finals: Promise<unknown>[] = [];
  await new Promise<void>((resolve) => {
    ws.addEventListener('delivery', (event) => {
      (states[event.message.id] ??= []).push(event.state);
      if (event.previous === undefined && event.message.restored) {
        restored.push({ id: event.message.id, text: event.message.data.text });
        finals.push(event.message.acknowledged.catch((error: Error) => errors.push(error.message)));
      }
    });
    // Restored messages are announced in a microtask after construction.
    queueMicrotask(() => resolve());
  });
  await Promise.all(finals);
  ws.close();
  return { restored, states, storedKeys: storageKeys(), principal: storedIdentity().getPrincipal().toText(), errors };
};

function hexToBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}

window.runIcWebSocket = async (config) => {
  const identity = Ed25519KeyIdentity.generate();
  const ws = new IcWebSocket<ChatMessage>({
    gatewayUrl: config.gatewayUrl,
    canisterId: config.canisterId,
    identity,
    networkUrl: config.networkUrl,
    rootKey: hexToBytes(config.rootKeyHex),
    appMessageIdl: ChatMessageIdl,
    reconnect: false,
  });
  const errors: string[] = [];
  ws.onerror = (event) => errors.push(`${event.error.code}: ${event.error.message}`);
  const received: ChatMessage[] = [];
  const waiters: (() => void)[] = [];
  ws.onmessage = (event) => {
    received.push(event.data);
    waiters.shift()?.();
  };
  const nextMessage = () => new Promise<void>((resolve) => waiters.push(resolve));
  const closed = new Promise<IcWsCloseEvent>((resolve) => (ws.onclose = resolve));
  const opened = await Promise.race([
    new Promise<{ gatewayUrl: string; nonce: bigint }>((resolve) =>
      ws.addEventListener('open', (event) => resolve({ gatewayUrl: event.gatewayUrl, nonce: event.clientKey.client_nonce })),
    ),
    closed.then((event) => Promise.reject(new Error(`closed before opening: ${event.code} ${event.reason}`))),
  ]);

  let echoed = nextMessage();
  ws.send({ text: 'from chromium', count: 10, tags: ['browser'] });
  await echoed;
  echoed = nextMessage();
  // The canister pushes a message the page did not ask for.
  await window.askTest('broadcast');
  await echoed;
  ws.close();
  const close = await closed;
  return {
    usedPlatformWebSocket: typeof globalThis.WebSocket === 'function',
    principal: identity.getPrincipal().toText(),
    clientNonce: opened.nonce.toString(),
    openGatewayUrl: opened.gatewayUrl,
    received,
    close: { code: close.code, wasClean: close.wasClean, reason: close.reason, error: close.error?.code ?? null },
    errors,
    blsVerifier: ws.blsVerifier ?? null,
    loadedScripts: performance
      .getEntriesByType('resource')
      .map((entry) => new URL(entry.name).pathname)
      .filter((path) => path.endsWith('.js')),
  };
};
