import { fromHex, toHex } from './hex';
import type { OutboxScope, OutboxStore, StoredOutboxMessage } from './outbox-store';

/** The part of the Web Storage API the store uses (`localStorage` has it; tests can pass a Map-backed one). */
export interface KeyValueStorage {
  readonly length: number;
  key(index: number): string | null;
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** Options of {@link localStorageOutboxStore}. */
export interface LocalStorageOutboxStoreOptions {
  /**
   * The storage.
   * @default globalThis.localStorage
   */
  storage?: KeyValueStorage;
  /**
   * Prefix of every key; give each app (or each part of one that must not share its outbox) its own.
   * @default 'ic-ws-outbox'
   */
  prefix?: string;
}

interface StoredJson {
  v: 1;
  outbox: string;
  index: string;
  content: string;
  createdAtMs: number;
  relayed: boolean;
}

/**
 * An {@link OutboxStore} in `localStorage`: one key per message (`<prefix>/<canister>/<principal>/<id>`), so tabs
 * that share the storage never overwrite each other's messages. A tab that reloads re-sends every stored message
 * of its canister and identity, including those of other open tabs: the canister drops the duplicates (receipts
 * extension), and whichever tab sees the acknowledgement removes the entry. An entry that does not parse is
 * removed and skipped.
 *
 * @example
 * const ws = new IcWebSocket({ ..., outbox: localStorageOutboxStore() });
 */
export function localStorageOutboxStore(options: LocalStorageOutboxStoreOptions = {}): OutboxStore {
  const prefix = options.prefix ?? 'ic-ws-outbox';
  const storage = (): KeyValueStorage => {
    const found = options.storage ?? (globalThis as { localStorage?: KeyValueStorage }).localStorage;
    if (found === undefined) throw new TypeError('no localStorage here: pass options.storage');
    return found;
  };
  const keyOf = (scope: OutboxScope, id: string) => `${prefix}/${scope.canisterId}/${scope.principal}/${id}`;
  return {
    load(scope) {
      const store = storage();
      const head = keyOf(scope, '');
      const keys: string[] = [];
      for (let i = 0; i < store.length; i++) {
        const key = store.key(i);
        if (key !== null && key.startsWith(head)) keys.push(key);
      }
      const messages: StoredOutboxMessage[] = [];
      for (const key of keys) {
        const message = parse(key.slice(head.length), store.getItem(key));
        if (message === undefined) store.removeItem(key);
        else messages.push(message);
      }
      return messages;
    },
    put(scope, message) {
      const json: StoredJson = {
        v: 1,
        outbox: toHex(message.outbox),
        index: message.index.toString(),
        content: toBase64(message.content),
        createdAtMs: message.createdAtMs,
        relayed: message.relayed,
      };
      storage().setItem(keyOf(scope, message.id), JSON.stringify(json));
    },
    delete(scope, id) {
      storage().removeItem(keyOf(scope, id));
    },
  };
}

function parse(id: string, text: string | null): StoredOutboxMessage | undefined {
  if (text === null) return undefined;
  let json: Partial<StoredJson>;
  try {
    json = JSON.parse(text) as Partial<StoredJson>;
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
  if (json.v !== 1 || typeof json.outbox !== 'string' || !/^[0-9a-f]{32}$/.test(json.outbox)) return undefined;
  if (typeof json.index !== 'string' || !/^[1-9][0-9]{0,19}$/.test(json.index)) return undefined;
  if (typeof json.content !== 'string' || typeof json.createdAtMs !== 'number' || typeof json.relayed !== 'boolean') return undefined;
  if (id !== `${json.outbox}:${json.index}`) return undefined;
  const content = fromBase64(json.content);
  if (content === undefined) return undefined;
  return { id, outbox: fromHex(json.outbox), index: BigInt(json.index), content, createdAtMs: json.createdAtMs, relayed: json.relayed };
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
