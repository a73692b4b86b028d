/**
 * Runs in Chromium (bundled by esbuild for the browser, @dfinity/* included): one IcWebSocket session from a
 * page, with an Ed25519 identity generated in the page and the platform WebSocket. The Node side of the test
 * calls `window.runIcWebSocket(config)` through `page.evaluate` and answers `window.askTest` (an exposed
 * function) when the page needs the canister to push something.
 */
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { IcWebSocket, type IcWsCloseEvent } from 'ic-ws-client';
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

declare global {
  interface Window {
    runIcWebSocket(config: PageConfig): Promise<PageResult>;
    askTest(request: 'broadcast'): Promise<number>;
  }
}

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
