import type { ByteBudget } from './byte-budget';
import type { InboundPool } from './inbound-pool';

/** Why the gateway refuses new sessions for now. */
export type OverloadReason = 'inbound_budget' | 'outbound_budget' | 'ic_unavailable';

// New sessions are refused once the inbound budget is this full, before it blocks the sessions it has.
const INBOUND_HIGH_WATER = 0.9;

/**
 * Decides whether the gateway is overloaded, i.e. should refuse new sessions (with a retry hint) so the
 * sessions it has keep going: its inbound or outbound byte budget is (nearly) used up, or the IC failed a
 * request for a transient reason within the last `icWindowMs` (relays and polls are being retried; a new
 * session's `ws_open` would only add to them).
 */
export class LoadMonitor {
  #lastIcFailure = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly pools: { inbound: InboundPool; outbound: ByteBudget },
    private readonly icWindowMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** A request to the IC failed for a transient reason (it will be retried). */
  recordIcFailure(): void {
    this.#lastIcFailure = this.now();
  }

  /** Why new sessions should be refused now, or `null` when they are welcome. */
  overloadReason(): OverloadReason | null {
    const { inbound, outbound } = this.pools;
    if (inbound.used >= inbound.limit * INBOUND_HIGH_WATER) return 'inbound_budget';
    if (outbound.full) return 'outbound_budget';
    if (this.now() - this.#lastIcFailure < this.icWindowMs) return 'ic_unavailable';
    return null;
  }
}
