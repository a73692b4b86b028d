import { bytesToHex } from '@noble/hashes/utils';
import type { Principal } from '@dfinity/principal';
import { CertifiedTreeMap, type HashTree, type LabelInput } from 'ic-ws-protocol';
import type { RejectCode } from '../execution/types';
import { requestStatusEntry } from './state-tree';

/** Where an update call stands, as `request_status/<id>/status` reports it. */
export type RequestStatus =
  | { readonly status: 'received' }
  | { readonly status: 'processing' }
  | { readonly status: 'replied'; readonly reply: Uint8Array }
  | {
      readonly status: 'rejected';
      readonly rejectCode: RejectCode;
      readonly rejectMessage: string;
      readonly errorCode: string;
    };

/** One update call the interface has accepted. */
export interface RequestRecord {
  readonly requestId: Uint8Array;
  /** Only the sender may read this status back (read_state checks it). */
  readonly sender: Principal;
  readonly canisterId: Principal;
  readonly ingressExpiry: bigint;
  status: RequestStatus;
  /** Time (ns) after which the record may be forgotten; set when the call completes. */
  forgetAfter: bigint | undefined;
}

/** Options of {@link RequestStatusStore}. */
export interface RequestStatusStoreOptions {
  /** The clock (ns since the epoch); the execution environment's `now`. */
  readonly now: () => bigint;
  /**
   * How long (ns) a completed call's status stays readable. It is never forgotten before its ingress
   * expiry, so a replayed envelope is recognised instead of executed twice.
   * @default 300_000_000_000n (5 minutes)
   */
  readonly retentionNs?: bigint;
}

/** Defaults of {@link RequestStatusStoreOptions}. */
export const REQUEST_STATUS_STORE_DEFAULTS = { retentionNs: 300_000_000_000n } as const;

/**
 * The `request_status` part of the state: every update call accepted in the last few minutes, keyed by
 * request id. An admitted call is known (for replay detection and read_state's sender check) but enters the
 * certified subtree only when `update` gives it a status, which a round does when it executes the call.
 * The subtree is a `CertifiedTreeMap`, so a change costs O(log n) hashes however many calls are retained;
 * `version` changes exactly when the subtree does, so the certifier can tell when to certify a new round.
 */
export class RequestStatusStore {
  readonly #records = new Map<string, RequestRecord>();
  readonly #tree = new CertifiedTreeMap();
  /** Completed records in completion order, for forgetting the oldest first; consumed slots are cleared. */
  #expiring: (RequestRecord | undefined)[] = [];
  #expiringHead = 0;
  readonly #now: () => bigint;
  readonly #retentionNs: bigint;
  #version = 0;

  constructor(options: RequestStatusStoreOptions) {
    this.#now = options.now;
    this.#retentionNs = options.retentionNs ?? REQUEST_STATUS_STORE_DEFAULTS.retentionNs;
  }

  /** Increases with every change of the certified subtree; equal versions mean equal subtrees. */
  get version(): number {
    return this.#version;
  }

  /** Number of calls known (admitted, running or completed and retained). */
  get size(): number {
    return this.#records.size;
  }

  /** The record of `requestId`, if it is still kept. */
  get(requestId: Uint8Array): RequestRecord | undefined {
    return this.#records.get(bytesToHex(requestId));
  }

  /**
   * Records a newly accepted call as `received` (not yet certified). Returns the existing record instead
   * when the same request id is already known: the caller must then not execute it again.
   */
  admit(record: Omit<RequestRecord, 'status' | 'forgetAfter'>): { readonly fresh: boolean; readonly record: RequestRecord } {
    const existing = this.get(record.requestId);
    if (existing) return { fresh: false, record: existing };
    const fresh: RequestRecord = { ...record, status: { status: 'received' }, forgetAfter: undefined };
    this.#records.set(bytesToHex(record.requestId), fresh);
    return { fresh: true, record: fresh };
  }

  /** Moves a known call to `status` and certifies it; a final status starts its retention period. */
  update(requestId: Uint8Array, status: RequestStatus): void {
    const record = this.#records.get(bytesToHex(requestId));
    if (!record) return;
    record.status = status;
    this.#tree.set(requestId, requestStatusEntry(status));
    this.#version++;
    if (status.status === 'replied' || status.status === 'rejected') {
      const keepUntil = this.#now() + this.#retentionNs;
      record.forgetAfter = keepUntil > record.ingressExpiry ? keepUntil : record.ingressExpiry;
      this.#expiring.push(record);
      this.forgetExpired();
    }
  }

  /** Forgets a call that never reached execution (a non-replicated rejection leaves no status behind). */
  discard(requestId: Uint8Array): void {
    const key = bytesToHex(requestId);
    const record = this.#records.get(key);
    if (!record) return;
    this.#records.delete(key);
    if (this.#tree.delete(requestId)) this.#version++;
  }

  /**
   * Forgets completed calls whose retention ended, oldest completion first. Cost: O(log n) per call
   * forgotten. A call kept longer because of a late ingress expiry holds back those completed after it, which
   * only keeps them longer than needed (statuses may be kept longer, never shorter).
   */
  forgetExpired(): void {
    const now = this.#now();
    while (this.#expiringHead < this.#expiring.length) {
      const record = this.#expiring[this.#expiringHead] as RequestRecord;
      if ((record.forgetAfter as bigint) >= now) break;
      // Cleared, not just skipped: a forgotten record must not stay reachable until the array is compacted.
      this.#expiring[this.#expiringHead] = undefined;
      this.#expiringHead++;
      const key = bytesToHex(record.requestId);
      if (this.#records.get(key) === record) {
        this.#records.delete(key);
        this.#tree.delete(record.requestId);
        this.#version++;
      }
    }
    // Drop the consumed prefix once it is the larger part, so the array stays proportional to what is kept.
    if (this.#expiringHead > 1024 && this.#expiringHead * 2 > this.#expiring.length) {
      this.#expiring = this.#expiring.slice(this.#expiringHead);
      this.#expiringHead = 0;
    }
  }

  /** Every call known, in admission order (diagnostics and tests). */
  records(): RequestRecord[] {
    return [...this.#records.values()];
  }

  /** Root hash of the certified `request_status` subtree. O(log n) per change since the last call. */
  rootHash(): Uint8Array {
    return this.#tree.rootHash();
  }

  /** The whole certified subtree, nothing pruned. O(n). */
  fullTree(): HashTree {
    return this.#tree.tree();
  }

  /** The subtree revealing the statuses of `requestIds` (others pruned; unknown ids proven absent). */
  witness(requestIds: Iterable<LabelInput>): HashTree {
    return this.#tree.witness(requestIds);
  }
}
