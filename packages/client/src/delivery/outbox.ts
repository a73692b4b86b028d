import { CLIENT_OUTBOX_ID_BYTES, ErrorCode, type ClientMessageId } from 'ic-ws-protocol';
import { IcWsClientError } from '../client-error';
import { toHex } from './hex';
import type { OutboxScope, OutboxStore, StoredOutboxMessage } from './outbox-store';
import { TrackedMessage, type DeliveryState } from './outgoing-message';

/** One message the outbox holds until it is acknowledged or failed. */
export interface OutboxEntry<T> {
  readonly message: TrackedMessage<T>;
  /** The Candid bytes of the app message. */
  readonly content: Uint8Array;
  /** Its `message_id` on the wire: this outbox (or the one it was restored from) and its index there. */
  readonly messageId: ClientMessageId;
  /** Whether it was ever handed to a gateway (kept in the store, for the decision after a reload). */
  relayedBefore: boolean;
}

/** Options of {@link Outbox}. */
export interface OutboxOptions<T> {
  /** Most messages not yet acknowledged or failed; one more `add` throws `OUTGOING_QUEUE_FULL`. */
  capacity: number;
  /** Where messages survive a page reload, if anywhere. */
  store: OutboxStore | undefined;
  scope: OutboxScope;
  /** Stored messages older than this are not re-sent (`NOT_SENT`). */
  maxAgeMs: number;
  /** Local clock, ms since the epoch. */
  now: () => number;
  /** The app message back from its Candid bytes (for restored messages). */
  decode: (content: Uint8Array) => T;
  /** Every state change of every message, in order. */
  onTransition: (message: TrackedMessage<T>, previous: DeliveryState) => void;
  /** The store failed; the message carries on in memory only. */
  onStoreError: (error: IcWsClientError) => void;
}

/**
 * The messages `send` accepted and the canister has not acknowledged yet, in send order, each with a message id
 * (a random outbox id of this `IcWebSocket` and an index from 1) that it keeps across re-sends. With a store,
 * every change is written through, so a new `IcWebSocket` after a page reload {@link restore}s them, ids
 * included, and the canister can drop what it already took.
 */
export class Outbox<T> {
  readonly #id: Uint8Array = globalThis.crypto.getRandomValues(new Uint8Array(CLIENT_OUTBOX_ID_BYTES));
  readonly #entries = new Map<string, OutboxEntry<T>>();
  #nextIndex = 1n;

  constructor(private readonly options: OutboxOptions<T>) {}

  /** Messages not yet final. */
  get size(): number {
    return this.#entries.size;
  }

  /** Every message not yet final, in send order (restored ones first). */
  entries(): OutboxEntry<T>[] {
    return [...this.#entries.values()];
  }

  /** The messages waiting for a connection (`queued`), in order. */
  waiting(): OutboxEntry<T>[] {
    return this.entries().filter((entry) => entry.message.state === 'queued');
  }

  /**
   * Loads the store's messages for this scope, oldest first: those within `maxAgeMs` join the outbox as
   * `queued`; older ones, and ones that no longer decode as the app type, are removed and returned `failed`.
   */
  restore(): TrackedMessage<T>[] {
    const { store, scope, now, maxAgeMs } = this.options;
    if (store === undefined) return [];
    const stored = this.#attempt(() => store.load(scope)) ?? [];
    stored.sort((a, b) => a.createdAtMs - b.createdAtMs || compareBytes(a.outbox, b.outbox) || (a.index < b.index ? -1 : 1));
    const restored: TrackedMessage<T>[] = [];
    for (const item of stored) {
      let data: T;
      try {
        data = this.options.decode(item.content);
      } catch (error) {
        restored.push(this.#failedRestore(item, undefined as T, IcWsClientError.from(error, ErrorCode.NotSent, 'a stored message no longer decodes as the app message type')));
        continue;
      }
      if (now() - item.createdAtMs > maxAgeMs) {
        restored.push(this.#failedRestore(item, data, new IcWsClientError(ErrorCode.NotSent, `a stored message is older than outboxMaxAgeMs (${maxAgeMs} ms)`)));
        continue;
      }
      const entry: OutboxEntry<T> = {
        message: new TrackedMessage(item.id, data, item.createdAtMs, true),
        content: item.content,
        messageId: { outbox: item.outbox, index: item.index },
        relayedBefore: item.relayed,
      };
      this.#entries.set(entry.message.id, entry);
      restored.push(entry.message);
    }
    return restored;
  }

  /**
   * Accepts a new message (`queued`), stored first when there is a store.
   * @throws IcWsClientError `OUTGOING_QUEUE_FULL` when `capacity` messages are not final yet.
   */
  add(data: T, content: Uint8Array): OutboxEntry<T> {
    if (this.#entries.size >= this.options.capacity) {
      throw new IcWsClientError(ErrorCode.OutgoingQueueFull, `the outbox holds its maximum of ${this.options.capacity} unacknowledged messages`);
    }
    const index = this.#nextIndex++;
    const entry: OutboxEntry<T> = {
      message: new TrackedMessage(`${toHex(this.#id)}:${index}`, data, this.options.now(), false),
      content,
      messageId: { outbox: this.#id, index },
      relayedBefore: false,
    };
    this.#entries.set(entry.message.id, entry);
    this.#persist(entry);
    return entry;
  }

  /** The entry was handed to a gateway. */
  relayed(entry: OutboxEntry<T>): void {
    if (!this.#transition(entry, 'relayed')) return;
    if (!entry.relayedBefore) {
      entry.relayedBefore = true;
      this.#persist(entry);
    }
  }

  /** The entry goes back to waiting for a connection (to be re-sent with its id). */
  requeue(entry: OutboxEntry<T>): void {
    this.#transition(entry, 'queued');
  }

  /** The canister acknowledged the entry. */
  acknowledge(entry: OutboxEntry<T>): void {
    if (this.#transition(entry, 'acknowledged')) this.#forget(entry);
  }

  /** The entry will not be delivered (or may not have been); it leaves the store too. */
  fail(entry: OutboxEntry<T>, error: IcWsClientError): void {
    if (this.#transition(entry, 'failed', error)) this.#forget(entry);
  }

  /**
   * This outbox gives up on the entry (its `IcWebSocket` closed for good), reporting it failed, but leaves it in
   * the store for the next outbox over the same store to re-send.
   */
  release(entry: OutboxEntry<T>, error: IcWsClientError): void {
    if (this.#transition(entry, 'failed', error)) this.#entries.delete(entry.message.id);
  }

  #transition(entry: OutboxEntry<T>, state: DeliveryState, error?: IcWsClientError): boolean {
    const previous = entry.message.transition(state, error);
    if (previous === undefined) return false;
    this.options.onTransition(entry.message, previous);
    return true;
  }

  #forget(entry: OutboxEntry<T>): void {
    this.#entries.delete(entry.message.id);
    const { store, scope } = this.options;
    if (store !== undefined) this.#attempt(() => store.delete(scope, entry.message.id));
  }

  #failedRestore(item: StoredOutboxMessage, data: T, error: IcWsClientError): TrackedMessage<T> {
    const message = new TrackedMessage(item.id, data, item.createdAtMs, true);
    message.transition('failed', error);
    const { store, scope } = this.options;
    this.#attempt(() => store?.delete(scope, item.id));
    return message;
  }

  #persist(entry: OutboxEntry<T>): void {
    const { store, scope } = this.options;
    if (store === undefined) return;
    const { message, content, messageId, relayedBefore } = entry;
    this.#attempt(() =>
      store.put(scope, { id: message.id, outbox: messageId.outbox, index: messageId.index, content, createdAtMs: message.createdAtMs, relayed: relayedBefore }),
    );
  }

  #attempt<R>(operation: () => R): R | undefined {
    try {
      return operation();
    } catch (error) {
      this.options.onStoreError(IcWsClientError.from(error, ErrorCode.OutboxStorageFailed, 'the outbox store failed'));
      return undefined;
    }
  }
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  }
  return a.length - b.length;
}
