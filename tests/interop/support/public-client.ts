/**
 * The public client, ic-websocket-js 0.5, wrapped in promises for tests: every app message it hands to
 * `onmessage` is kept in order, and a test waits for the first one matching a predicate (no sleeps).
 */
import type { ActorSubclass, SignIdentity } from '@dfinity/agent';
import { IcWebSocket, createWsConfig } from 'ic-websocket-js';
import type { ChatMessage, ChatService } from './chat-canister';

/** The close event ic-websocket-js passes on (the `ws` package's). */
export interface PublicCloseEvent {
  code: number;
  reason: string;
  wasClean: boolean;
}

interface Waiter {
  predicate: (message: ChatMessage) => boolean;
  resolve: (message: ChatMessage) => void;
  reject: (error: Error) => void;
}

/** One ic-websocket-js connection to the chat canister. */
export class PublicChatClient {
  readonly ws: IcWebSocket<ChatService, ChatMessage>;
  /** Every app message received, in order. */
  readonly received: ChatMessage[] = [];
  /** Errors ic-websocket-js reported through `onerror`. */
  readonly errors: unknown[] = [];
  /** Resolves on `onopen` (the verified OpenMessage); rejects if the socket closes first. */
  readonly opened: Promise<void>;
  /** Resolves with the close event. */
  readonly closed: Promise<PublicCloseEvent>;
  #waiters: Waiter[] = [];
  #closeEvent: PublicCloseEvent | undefined;

  constructor(gatewayUrl: string, config: { canisterId: string; actor: ActorSubclass<ChatService>; identity: SignIdentity; networkUrl: string }) {
    this.ws = new IcWebSocket(
      gatewayUrl,
      undefined,
      createWsConfig({ canisterId: config.canisterId, canisterActor: config.actor, identity: config.identity, networkUrl: config.networkUrl }),
    );
    this.closed = new Promise((resolve) => {
      this.ws.onclose = (event) => {
        this.#closeEvent = { code: event.code, reason: event.reason, wasClean: event.wasClean };
        for (const waiter of this.#waiters.splice(0)) waiter.reject(new Error(`closed (${event.code} ${event.reason}) while waiting for a message`));
        resolve(this.#closeEvent);
      };
    });
    this.opened = new Promise((resolve, reject) => {
      this.ws.onopen = () => resolve();
      this.closed.then((event) => reject(new Error(`closed before open: ${event.code} ${event.reason}`)), reject);
    });
    this.ws.onerror = (event) => this.errors.push((event as ErrorEvent).error ?? event);
    this.ws.onmessage = (event) => {
      const message = event.data;
      this.received.push(message);
      const index = this.#waiters.findIndex((waiter) => waiter.predicate(message));
      if (index >= 0) this.#waiters.splice(index, 1)[0]!.resolve(message);
    };
  }

  /** The first message (already received or still to come) for which `predicate` holds. */
  next<M extends ChatMessage>(predicate: (message: ChatMessage) => message is M): Promise<M> {
    const seen = this.received.find(predicate);
    if (seen !== undefined) return Promise.resolve(seen);
    if (this.#closeEvent !== undefined) return Promise.reject(new Error(`already closed (${this.#closeEvent.code})`));
    return new Promise((resolve, reject) => this.#waiters.push({ predicate, resolve: resolve as (m: ChatMessage) => void, reject }));
  }
}
