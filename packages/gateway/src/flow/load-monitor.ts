import type { ByteBudget } from './byte-budget';
import type { InboundPool } from './inbound-pool';

/** Why the gateway refuses new sessions for now. */
export type OverloadReason = 'inbound_budget' | 'outbound_budget' | 'ic_unavailable' | 'ic_slow';

/**
 * Relays slower than this (a moving average of the time the IC takes to answer one) mean the IC does not
 * keep up with what the gateway already relays: a healthy synchronous call takes a few seconds at most.
 */
export const SLOW_RELAY_MS = 5_000;
// Weight of the newest relay in the moving average.
const RELAY_AVERAGE_WEIGHT = 0.1;

// New sessions are refused once the inbound budget is this close to where sessions stop reading (its
// threshold), before it blocks the sessions it has.
const INBOUND_HIGH_WATER = 0.9;

/**
 * Decides whether the gateway is overloaded, i.e. should refuse new sessions (with a retry hint) so the
 * sessions it has keep going: its inbound or outbound byte budget is (nearly) used up, the IC failed a
 * request for a transient reason within the last `icWindowMs` (relays and polls are being retried), or
 * relays have become slow (the IC answers at its pace, and calls queue up). A new session's `ws_open` would
 * only add to the queue.
 */
export class LoadMonitor {
  #lastIcFailure = Number.NEGATIVE_INFINITY;
  #relayMs = 0;

  constructor(
    private readonly pools: { inbound: InboundPool; outbound: ByteBudget },
    private readonly icWindowMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** A request to the IC failed for a transient reason (it will be retried). */
  recordIcFailure(): void {
    this.#lastIcFailure = this.now();
  }

  /** The IC answered a relayed call (or failed to) after `durationMs`. */
  recordRelay(durationMs: number): void {
    this.#relayMs += RELAY_AVERAGE_WEIGHT * (durationMs - this.#relayMs);
  }

  /** Why new sessions should be refused now, or `null` when they are welcome. */
  overloadReason(): OverloadReason | null {
    const { inbound, outbound } = this.pools;
    if (inbound.used >= inbound.threshold * INBOUND_HIGH_WATER) return 'inbound_budget';
    if (outbound.full) return 'outbound_budget';
    if (this.now() - this.#lastIcFailure < this.icWindowMs) return 'ic_unavailable';
    if (this.#relayMs >= SLOW_RELAY_MS) return 'ic_slow';
    return null;
  }
}
