import { bytesToHex } from '@noble/hashes/utils';
import type { Principal } from '@dfinity/principal';
import { CertifiedTreeMap, type HashTree, type LabelInput } from 'ic-ws-protocol';
import type { RejectCode } from '../execution/types';
import { RetainedStatus } from './retained-status';

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

/** One update call the interface has accepted, as the store reports it (a snapshot). */
export interface RequestRecord {
  readonly requestId: Uint8Array;
  /** Only the sender may read this status back (read_state checks it). */
  readonly sender: Principal;
  readonly canisterId: Principal;
  readonly status: RequestStatus;
  /** Time (ns) after which the record may be forgotten; set when the call completes. */
  readonly forgetAfter: bigint | undefined;
}

/** A call as the interface admits it. */
export interface AdmittedCall {
  readonly requestId: Uint8Array;
  readonly sender: Principal;
  readonly canisterId: Principal;
  readonly ingressExpiry: bigint;
}

/** A call admitted and not final yet. */
interface OpenCall extends AdmittedCall {
  status: RequestStatus;
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
 *
 * Memory: the few open calls are plain records; a final status lives only in the tree, as one compact
 * {@link RetainedStatus} (its request id, sender, canister id and reply packed in one buffer), found by its
 * request id in the tree itself.
 */
export class RequestStatusStore {
  /** Calls admitted and not final yet, by request id (hex). */
  readonly #open = new Map<string, OpenCall>();
  /** Every certified status (open calls given a status by `update`, and the final ones retained). */
  readonly #tree = new CertifiedTreeMap<RetainedStatus>((status) => status.tree());
  /** Number of final statuses in the tree. */
  #finalCount = 0;
  /** Final statuses in completion order, for forgetting the oldest first; consumed slots are cleared. */
  #expiring: (RetainedStatus | undefined)[] = [];
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
    return this.#open.size + this.#finalCount;
  }

  /** The record of `requestId` (a snapshot), if it is still kept. O(log n). */
  get(requestId: Uint8Array): RequestRecord | undefined {
    const open = this.#open.get(bytesToHex(requestId));
    if (open) return { ...open, forgetAfter: undefined };
    const retained = this.#tree.get(requestId);
    return retained?.final ? recordOf(retained) : undefined;
  }

  /**
   * Records a newly accepted call as `received` (not yet certified). Returns the existing record instead
   * when the same request id is already known: the caller must then not execute it again.
   */
  admit(call: AdmittedCall): { readonly fresh: boolean; readonly record: RequestRecord } {
    const existing = this.get(call.requestId);
    if (existing) return { fresh: false, record: existing };
    const open: OpenCall = { ...call, status: { status: 'received' } };
    this.#open.set(bytesToHex(call.requestId), open);
    return { fresh: true, record: { ...open, forgetAfter: undefined } };
  }

  /**
   * Moves an open call to `status` and certifies it; a final status starts its retention period (a call
   * already final is left as it is).
   */
  update(requestId: Uint8Array, status: RequestStatus): void {
    const key = bytesToHex(requestId);
    const open = this.#open.get(key);
    if (!open) return;
    this.#version++;
    if (status.status !== 'replied' && status.status !== 'rejected') {
      open.status = status;
      this.#tree.set(requestId, RetainedStatus.pack(open, status, undefined));
      return;
    }
    const keepUntil = this.#now() + this.#retentionNs;
    const retained = RetainedStatus.pack(open, status, keepUntil > open.ingressExpiry ? keepUntil : open.ingressExpiry);
    this.#open.delete(key);
    this.#tree.set(requestId, retained);
    this.#finalCount++;
    this.#expiring.push(retained);
    this.forgetExpired();
  }

  /** Forgets a call that never reached execution (a non-replicated rejection leaves no status behind). */
  discard(requestId: Uint8Array): void {
    this.#open.delete(bytesToHex(requestId));
    const retained = this.#tree.get(requestId);
    if (retained === undefined) return;
    this.#tree.delete(requestId);
    if (retained.final) this.#finalCount--;
    this.#version++;
  }

  /**
   * Forgets completed calls whose retention ended, oldest completion first. Cost: O(log n) per call
   * forgotten. A call kept longer because of a late ingress expiry holds back those completed after it, which
   * only keeps them longer than needed (statuses may be kept longer, never shorter).
   */
  forgetExpired(): void {
    const now = this.#now();
    while (this.#expiringHead < this.#expiring.length) {
      const retained = this.#expiring[this.#expiringHead] as RetainedStatus;
      if ((retained.forgetAfter as bigint) >= now) break;
      // Cleared, not just skipped: a forgotten status must not stay reachable until the array is compacted.
      this.#expiring[this.#expiringHead] = undefined;
      this.#expiringHead++;
      const requestId = retained.requestIdView;
      if (this.#tree.get(requestId) === retained) {
        this.#tree.delete(requestId);
        this.#finalCount--;
        this.#version++;
      }
    }
    // Drop the consumed prefix once it is the larger part, so the array stays proportional to what is kept.
    if (this.#expiringHead > 1024 && this.#expiringHead * 2 > this.#expiring.length) {
      this.#expiring = this.#expiring.slice(this.#expiringHead);
      this.#expiringHead = 0;
    }
  }

  /** Every call known (snapshots): open calls in admission order, then completed ones by request id. O(n). */
  records(): RequestRecord[] {
    const open = [...this.#open.values()].map((call) => ({ ...call, forgetAfter: undefined }));
    const final = [...this.#tree.entries()].filter(([, retained]) => retained.final).map(([, retained]) => recordOf(retained));
    return [...open, ...final];
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

function recordOf(retained: RetainedStatus): RequestRecord {
  return { ...retained.owner(), status: retained.status(), forgetAfter: retained.forgetAfter };
}
