import { IDL } from '@dfinity/candid';
import { ChatEntryIdl, type ChatEntry } from '../shared/chat-message';

/** How azle's `StableBTreeMap` turns keys and values into bytes (its `Serializable`). */
export interface Serializer<T> {
  toBytes(value: T): Uint8Array;
  fromBytes(bytes: Uint8Array): T;
}

/**
 * Post ids as 8-byte big-endian integers: `StableBTreeMap` orders keys by their bytes, so this keeps the
 * history in id order (azle's default JSON encoding would sort "10" before "9").
 */
export const idSerializer: Serializer<bigint> = {
  toBytes: (id) => {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setBigUint64(0, id);
    return bytes;
  },
  fromBytes: (bytes) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0),
};

/** Posts in Candid: the same encoding as on the wire, checked against the type on the way back. */
export const entrySerializer: Serializer<ChatEntry> = {
  toBytes: (entry) => new Uint8Array(IDL.encode([ChatEntryIdl], [entry])),
  fromBytes: (bytes) => IDL.decode([ChatEntryIdl], bytes)[0] as unknown as ChatEntry,
};

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Strings as UTF-8 (principal texts and nicknames). */
export const textSerializer: Serializer<string> = {
  toBytes: (text) => encoder.encode(text),
  fromBytes: (bytes) => decoder.decode(bytes),
};
