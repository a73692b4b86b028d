import type { ErrorCode } from 'ic-ws-protocol';

/** Why a message of a batch was not delivered. */
export type SkipReason = 'unknown_client' | 'invalid_key' | 'foreign_gateway' | 'out_of_order' | 'delivery_failed';

/**
 * What a poller (and the batch parsing it calls) reports, for metrics, logs and `/readyz`. Must not throw.
 * In a file of its own so that both depend on it, not on each other.
 */
export interface PollerObserver {
  polled(outcome: 'ok' | ErrorCode, seconds: number, error?: unknown): void;
  nonceResync(kind: 'restart' | 'jump', expected: bigint, received: bigint): void;
  skipped(reason: SkipReason): void;
}
