import type { ClientRegistry, ConnectedClient } from './client-registry';
import type { GatewayQueue, OutgoingQueues } from './outgoing-queues';
import type { GatewayStanding } from './stable-records';
import { WsErrorMessage } from './ws-error-messages';

/** The limits admission enforces (from the canister options). */
export interface AdmissionLimits {
  /** Principal texts of the only gateways accepted, or `undefined` for any. */
  allowlist: ReadonlySet<string> | undefined;
  maxGateways: number;
  maxClients: number;
  maxPendingClients: number;
  /** How long a gateway may stay pending after the first `ws_open` that named it, ns. */
  pendingTimeoutNs: bigint;
}

/** What a `ws_open` may do: register through a pending or confirmed gateway, dropping `evict` first. */
export type OpenPlan = { error: WsErrorMessage } | { pending: boolean; evict: GatewayQueue[] };

/** What proving a gateway takes: dropping `evict` (a vouched gateway) to make room, if anything. */
export type ProvePlan = { error: WsErrorMessage } | { evict: GatewayQueue | undefined };

/** The sequence number of the early AckMessage a client of a pending gateway gets right after its OpenMessage. */
export const EARLY_ACK_SEQUENCE_NUM = 2n;

/**
 * Decides which gateway registrations a canister keeps, so that `ws_open` calls naming made-up gateways cannot
 * lock real ones out (anyone can call `ws_open` naming any principal as its gateway).
 *
 * The canister cannot see a gateway poll: `ws_get_messages` is a query, and the IC keeps nothing a query does.
 * So a gateway shows it is real in one of two ways the canister can observe:
 * - **proven**: the gateway signs an update call itself, a `ws_close` (ic-ws-gateway sends a "presence"
 *   `ws_close` naming itself once it has polled; any real `ws_close` counts too), or it is on the allowlist;
 * - **vouched**: a client of it answers the AckMessage the canister queues right after its OpenMessage with a
 *   keep-alive acknowledging it, which it could only have read if something polled for that gateway. This is
 *   how ic-websocket-gateway 1.4, which signs no update until a client leaves, gets confirmed.
 * Until then a gateway is **pending**: pending gateways do not count against `maxGateways`, nor their clients
 * against `maxClients`; they and their clients hold at most `maxPendingClients` slots (a pending gateway without
 * clients holds one), a `ws_open` beyond it dropping the oldest pending gateways with their clients; and a
 * pending gateway expires with its clients `pendingTimeoutNs` after it was first named.
 *
 * Vouched and proven gateways count against `maxGateways`. A gateway that proves itself when the limit is
 * reached takes the place of the oldest merely vouched one, so keep-alives faked by the clients of made-up
 * gateways cannot keep a gateway that signs its own calls out; a vouch beyond the limit is refused (the gateway
 * stays pending). With an allowlist, only listed gateways are accepted, proven from the start.
 */
export class GatewayAdmission {
  constructor(
    private readonly queues: OutgoingQueues,
    private readonly registry: ClientRegistry,
    private readonly limits: AdmissionLimits,
  ) {}

  /** Whether the allowlist (if any) lists this gateway. */
  isAllowed(gatewayText: string): boolean {
    return this.limits.allowlist === undefined || this.limits.allowlist.has(gatewayText);
  }

  /** The standing a gateway is registered with by a `ws_open` at `now`. */
  initialStanding(now: bigint): GatewayStanding {
    return this.limits.allowlist === undefined ? { kind: 'pending', sinceNs: now } : { kind: 'proven' };
  }

  /**
   * Plans a `ws_open` through `known` (the named gateway, if registered) that replaces `replaced` (the
   * principal's connections beyond `maxConnectionsPerPrincipal`). Changes nothing.
   */
  planOpen(known: GatewayQueue | undefined, replaced: readonly ConnectedClient[]): OpenPlan {
    const standing = known?.record.standing ?? this.initialStanding(0n);
    if (standing.kind !== 'pending') {
      if (known === undefined && this.queues.confirmedCount >= this.limits.maxGateways) return { error: WsErrorMessage.TooManyGateways };
      const freed = replaced.filter((client) => !this.isPendingClient(client)).length;
      if (this.confirmedClientCount() - freed >= this.limits.maxClients) return { error: WsErrorMessage.TooManyClients };
      return { pending: false, evict: [] };
    }
    // A pending gateway holds max(1, clients) slots: one more client adds a slot unless it is its first.
    let slots = this.pendingSlots();
    const adds = known !== undefined && this.registry.countOfGateway(known.text) === 0 ? 0 : 1;
    const evict: GatewayQueue[] = [];
    for (const gateway of this.queues.pendingGateways()) {
      if (slots + adds <= this.limits.maxPendingClients) break;
      if (gateway === known) continue;
      evict.push(gateway);
      slots -= Math.max(1, this.registry.countOfGateway(gateway.text));
    }
    if (slots + adds > this.limits.maxPendingClients) return { error: WsErrorMessage.TooManyPendingClients };
    return { pending: true, evict };
  }

  /** Whether a pending gateway may become vouched (there is room under `maxGateways`). */
  canVouch(gateway: GatewayQueue): boolean {
    return gateway.record.standing.kind === 'pending' && this.queues.confirmedCount < this.limits.maxGateways;
  }

  /** Plans proving `gateway` (`undefined`: not registered yet). Changes nothing. */
  planProve(gateway: GatewayQueue | undefined): ProvePlan {
    const kind = gateway?.record.standing.kind ?? 'pending';
    if (kind !== 'pending' || this.queues.confirmedCount < this.limits.maxGateways) return { evict: undefined };
    const evict = this.queues.vouchedGateways()[0];
    return evict === undefined ? { error: WsErrorMessage.TooManyConfirmedGateways } : { evict };
  }

  /** The pending gateways whose time ran out at `now`, oldest first. */
  expired(now: bigint): GatewayQueue[] {
    const due: GatewayQueue[] = [];
    for (const gateway of this.queues.pendingGateways()) {
      if (this.expiryOf(gateway) > now) break;
      due.push(gateway);
    }
    return due;
  }

  /** When the oldest pending gateway expires (ns), if there is one. */
  nextExpiryNs(): bigint | undefined {
    const oldest = this.queues.pendingGateways()[0];
    return oldest === undefined ? undefined : this.expiryOf(oldest);
  }

  private expiryOf(gateway: GatewayQueue): bigint {
    const { standing } = gateway.record;
    return (standing.kind === 'proven' ? 0n : standing.sinceNs) + this.limits.pendingTimeoutNs;
  }

  private isPendingClient(client: ConnectedClient): boolean {
    return this.queues.gateway(client.gatewayText)?.record.standing.kind === 'pending';
  }

  private confirmedClientCount(): number {
    let pendingClients = 0;
    for (const gateway of this.queues.pendingGateways()) pendingClients += this.registry.countOfGateway(gateway.text);
    return this.registry.size - pendingClients;
  }

  private pendingSlots(): number {
    let slots = 0;
    for (const gateway of this.queues.pendingGateways()) slots += Math.max(1, this.registry.countOfGateway(gateway.text));
    return slots;
  }
}
