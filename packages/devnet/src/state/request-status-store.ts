import { bytesToHex } from '@noble/hashes/utils';
import type { Principal } from '@dfinity/principal';
import type { RejectCode } from '../execution/types';

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
 * request id. `version` changes on every mutation so the certifier can tell when to rebuild the subtree.
 */
export class RequestStatusStore {
  readonly #records = new Map<string, RequestRecord>();
  readonly #now: () => bigint;
  readonly #retentionNs: bigint;
  #version = 0;

  constructor(options: RequestStatusStoreOptions) {
    this.#now = options.now;
    this.#retentionNs = options.retentionNs ?? REQUEST_STATUS_STORE_DEFAULTS.retentionNs;
  }

  /** Increases with every change; equal versions mean equal contents. */
  get version(): number {
    return this.#version;
  }

  /** The record of `requestId`, if it is still kept. */
  get(requestId: Uint8Array): RequestRecord | undefined {
    this.#forgetExpired();
    return this.#records.get(bytesToHex(requestId));
  }

  /**
   * Records a newly accepted call as `received`. Returns the existing record instead when the same request
   * id is already known: the caller must then not execute it again.
   */
  admit(record: Omit<RequestRecord, 'status' | 'forgetAfter'>): { readonly fresh: boolean; readonly record: RequestRecord } {
    const existing = this.get(record.requestId);
    if (existing) return { fresh: false, record: existing };
    const fresh: RequestRecord = { ...record, status: { status: 'received' }, forgetAfter: undefined };
    this.#records.set(bytesToHex(record.requestId), fresh);
    this.#version++;
    return { fresh: true, record: fresh };
  }

  /** Moves a known call to `status`; a final status starts its retention period. */
  update(requestId: Uint8Array, status: RequestStatus): void {
    const record = this.#records.get(bytesToHex(requestId));
    if (!record) return;
    record.status = status;
    if (status.status === 'replied' || status.status === 'rejected') {
      const keepUntil = this.#now() + this.#retentionNs;
      record.forgetAfter = keepUntil > record.ingressExpiry ? keepUntil : record.ingressExpiry;
    }
    this.#version++;
  }

  /** Forgets a call that never reached execution (a non-replicated rejection leaves no status behind). */
  discard(requestId: Uint8Array): void {
    if (this.#records.delete(bytesToHex(requestId))) this.#version++;
  }

  /** All kept records, oldest first. */
  records(): RequestRecord[] {
    this.#forgetExpired();
    return [...this.#records.values()];
  }

  #forgetExpired(): void {
    const now = this.#now();
    for (const [key, record] of this.#records) {
      if (record.forgetAfter !== undefined && record.forgetAfter < now) {
        this.#records.delete(key);
        this.#version++;
      }
    }
  }
}
