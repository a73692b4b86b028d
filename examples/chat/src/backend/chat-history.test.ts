import { Principal } from '@dfinity/principal';
import { describe, expect, it } from 'vitest';
import type { ChatEntry } from '../shared/chat-message';
import { ChatHistory } from './chat-history';
import { entrySerializer, idSerializer } from './stable-serializers';
import { SortedByteMap } from './testing/sorted-byte-map';

const ALICE = Principal.fromUint8Array(Uint8Array.of(0x11, 1, 1));

function post(text: string): Omit<ChatEntry, 'id'> {
  return { from: ALICE, nickname: 'alice', text, sent_at_ns: 7n, client_sent_at_ms: [] };
}

describe('ChatHistory', () => {
  it('numbers posts from 0 and keeps only the last `limit`, oldest first', () => {
    const history = new ChatHistory(new SortedByteMap(idSerializer, entrySerializer), 3);
    const stored = ['a', 'b', 'c', 'd', 'e'].map((text) => history.append(post(text)));
    expect(stored.map((entry) => entry.id)).toEqual([0n, 1n, 2n, 3n, 4n]);
    expect(history.recent().map((entry) => [entry.id, entry.text])).toEqual([
      [2n, 'c'],
      [3n, 'd'],
      [4n, 'e'],
    ]);
  });

  it('keeps id order past 255, where a byte-ordered map would go wrong with a variable-length key encoding', () => {
    const history = new ChatHistory(new SortedByteMap(idSerializer, entrySerializer), 2);
    for (let i = 0; i < 260; i++) history.append(post(`m${i}`));
    expect(history.recent().map((entry) => entry.text)).toEqual(['m258', 'm259']);
  });

  it('continues the numbering over the same map (an upgrade keeps stable memory, not the heap)', () => {
    const map = new SortedByteMap(idSerializer, entrySerializer);
    new ChatHistory(map, 50).append(post('before'));
    const after = new ChatHistory(map, 50).append(post('after'));
    expect(after.id).toBe(1n);
    expect(new ChatHistory(map, 50).recent().map((entry) => entry.text)).toEqual(['before', 'after']);
  });

  it('stores entries in Candid and reads back every field', () => {
    const entry: ChatEntry = { id: 9n, from: ALICE, nickname: 'ä 😀', text: 'x'.repeat(500), sent_at_ns: 2n ** 63n, client_sent_at_ms: [123n] };
    const back = entrySerializer.fromBytes(entrySerializer.toBytes(entry));
    expect({ ...back, from: back.from.toText() }).toEqual({ ...entry, from: ALICE.toText() });
    expect(() => entrySerializer.fromBytes(Uint8Array.of(1, 2, 3))).toThrow();
  });
});
