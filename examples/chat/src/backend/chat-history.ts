import { HISTORY_LENGTH, type ChatEntry } from '../shared/chat-message';

/**
 * The part of azle's `StableBTreeMap<bigint, ChatEntry>` the history uses (keys in ascending order), so the
 * history runs unchanged over stable memory in the canister and over a sorted in-memory map in unit tests.
 */
export interface OrderedEntryMap {
  insert(key: bigint, value: ChatEntry): unknown;
  remove(key: bigint): unknown;
  keys(startIndex?: number, length?: number): bigint[];
  values(startIndex?: number, length?: number): ChatEntry[];
  len(): bigint | number;
}

/**
 * The last `limit` posts, numbered from 0 in posting order. Lives in stable memory (the canister passes a
 * `StableBTreeMap` keyed by big-endian ids), so the chat survives upgrades; the ids continue after one
 * because the next id is read from the map, not kept in the heap.
 */
export class ChatHistory {
  constructor(
    private readonly map: OrderedEntryMap,
    private readonly limit: number = HISTORY_LENGTH,
  ) {}

  /** Stores a post under the next id and drops the oldest beyond the limit; returns the stored entry. */
  append(post: Omit<ChatEntry, 'id'>): ChatEntry {
    const size = Number(this.map.len());
    const last = size === 0 ? undefined : this.map.keys(size - 1, 1)[0];
    const entry: ChatEntry = { id: last === undefined ? 0n : last + 1n, ...post };
    this.map.insert(entry.id, entry);
    for (let excess = size + 1 - this.limit; excess > 0; excess--) {
      const oldest = this.map.keys(0, 1)[0];
      if (oldest !== undefined) this.map.remove(oldest);
    }
    return entry;
  }

  /** Every kept post, oldest first. */
  recent(): ChatEntry[] {
    return this.map.values(0, Number(this.map.len()));
  }
}
