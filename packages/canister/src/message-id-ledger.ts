import type { Principal } from '@dfinity/principal';
import { CLIENT_OUTBOX_ID_BYTES, type ClientMessageId } from 'ic-ws-protocol';
import { RecordReader, RecordWriter } from './record-bytes';
import type { StableMap } from './stable-store';

// Ledger entries live in the `meta` map under this prefix (the other meta keys are the ack schedule's).
const PREFIX = 'msgid/';
const VERSION = 1;
// Bound on the stale entries one `take` prunes, so a take stays cheap; the ack round prunes the rest.
const PRUNE_PER_TAKE = 8;

interface Entry {
  /** The highest message index taken from this outbox. */
  index: bigint;
  lastUsedNs: bigint;
}

/** What became of a message id: taken now, or already taken before. */
export type LedgerVerdict = 'new' | 'duplicate';

/** Limits of the ledger. */
export interface LedgerLimits {
  /** Entries not used for this long are forgotten, ns. */
  retentionNs: bigint;
  /** Most entries; beyond, the least recently used is forgotten. */
  maxEntries: number;
}

/**
 * Remembers, per (client principal, outbox id), the highest message index the canister took, so a message
 * re-sent on a new connection (after a reconnection or a page reload, with a new client key) is dropped
 * instead of handled twice (ic-ws extension `receipts`, docs/protocol.md section 8).
 *
 * Highest-index-wins is enough because one outbox's messages reach the canister in index order: a client
 * sends them in order on each connection, the canister takes a connection's messages strictly in sequence,
 * and a re-send starts again from the oldest message not acknowledged. The principal is part of the key so
 * nobody but the outbox's owner (whose signature the IC checks) can move its index. Entries are kept in
 * stable memory, least recently used first in the heap index; bounded in count and age.
 */
export class MessageIdLedger {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly store: StableMap,
    private readonly limits: LedgerLimits,
  ) {}

  /** Rebuilds the heap index from stable storage (post_upgrade). */
  load(): void {
    this.entries.clear();
    const loaded: [string, Entry][] = [];
    for (const [key, bytes] of this.store.entries()) {
      if (key.startsWith(PREFIX)) loaded.push([key, decodeEntry(bytes)]);
    }
    loaded.sort(([, a], [, b]) => (a.lastUsedNs < b.lastUsedNs ? -1 : a.lastUsedNs > b.lastUsedNs ? 1 : 0));
    for (const [key, entry] of loaded) this.entries.set(key, entry);
  }

  /** Number of outboxes remembered. */
  get size(): number {
    return this.entries.size;
  }

  /** Whether `id` is well-formed: a {@link CLIENT_OUTBOX_ID_BYTES}-byte outbox and an index from 1. */
  static isWellFormed(id: ClientMessageId): boolean {
    return id.outbox.length === CLIENT_OUTBOX_ID_BYTES && id.index >= 1n;
  }

  /** Records that `principal` sent message `id` at `now`; says whether it was taken before. */
  take(principal: Principal, id: ClientMessageId, now: bigint): LedgerVerdict {
    const key = `${PREFIX}${principal.toText()}/${hex(id.outbox)}`;
    const entry = this.entries.get(key);
    if (entry !== undefined && id.index <= entry.index) {
      this.touch(key, entry, now);
      return 'duplicate';
    }
    this.touch(key, { index: id.index, lastUsedNs: now }, now);
    this.prune(now - this.limits.retentionNs, PRUNE_PER_TAKE);
    while (this.entries.size > this.limits.maxEntries) this.forgetOldest();
    return 'new';
  }

  /** Forgets entries unused since before `cutoffNs`, at most `limit` of them; returns how many. */
  prune(cutoffNs: bigint, limit = Infinity): number {
    let pruned = 0;
    for (const [key, entry] of this.entries) {
      if (pruned >= limit || entry.lastUsedNs >= cutoffNs) break;
      this.entries.delete(key);
      this.store.delete(key);
      pruned++;
    }
    return pruned;
  }

  private touch(key: string, entry: Entry, now: bigint): void {
    entry.lastUsedNs = now;
    // Re-inserting moves the key to the end: the Map's order is least recently used first.
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.store.set(key, encodeEntry(entry));
  }

  private forgetOldest(): void {
    const oldest = this.entries.keys().next();
    if (oldest.done === true) return;
    this.entries.delete(oldest.value);
    this.store.delete(oldest.value);
  }
}

function hex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

function encodeEntry(entry: Entry): Uint8Array {
  return new RecordWriter().u8(VERSION).u64(entry.index).u64(entry.lastUsedNs).finish();
}

function decodeEntry(bytes: Uint8Array): Entry {
  const r = new RecordReader(bytes, 'message id ledger entry');
  const version = r.u8();
  if (version !== VERSION) throw r.corrupt(`unknown version ${version}`);
  const entry = { index: r.u64(), lastUsedNs: r.u64() };
  r.end();
  return entry;
}
