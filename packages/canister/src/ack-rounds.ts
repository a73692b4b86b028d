import type { AckRound } from './ack-scheduler';
import type { ClientOutbox } from './client-outbox';
import type { ClientRegistry, ConnectedClient } from './client-registry';
import type { OutgoingQueues } from './outgoing-queues';
import { ackMessageContent } from './service-messages';
import type { WsCloseReason } from './ws-close-reason';

const NS_PER_MS = 1_000_000n;

/** What {@link AckRounds} works on: the core's state, its clock and how it closes a client. */
export interface AckRoundsParts {
  registry: ClientRegistry;
  queues: OutgoingQueues;
  outbox: ClientOutbox;
  time(): bigint;
  /** Removes a client (queueing its CloseMessage) and calls the app's `onClose`. */
  closeClient(client: ConnectedClient, reason: WsCloseReason, now: bigint): void;
  /** Runs first in each round, after the clean-up: the core's other periodic pruning. */
  onRoundStart(now: bigint): void;
  /** The ack interval: also how long queued messages and empty gateways are kept. */
  intervalMs: number;
  keepAliveTimeoutMs: number;
}

// First index in the sorted `ids` whose id is above `after`.
function upperBound(ids: readonly string[], after: string): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((ids[mid] as string) <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The work of the ack rounds that {@link AckScheduler} times (protocol.md section 5): each round first
 * prunes messages older than an ack interval and forgets gateways empty for as long, then queues every
 * client an AckMessage (its last incoming sequence number); a keep-alive timeout later, clients that sent
 * no keep-alive since are closed with `KeepAliveTimeout`. Both go through the clients in id order, `limit`
 * per call, from `after`, so a round over many clients is split across executions.
 */
export class AckRounds implements AckRound {
  private readonly intervalNs: bigint;
  private readonly timeoutNs: bigint;
  // Client ids of the ack round in progress, in order (heap only: rebuilt if an upgrade interrupts a round).
  private ackRoundIds: string[] | undefined;

  constructor(private readonly parts: AckRoundsParts) {
    this.intervalNs = BigInt(parts.intervalMs) * NS_PER_MS;
    this.timeoutNs = BigInt(parts.keepAliveTimeoutMs) * NS_PER_MS;
  }

  sendAcks(after: string | undefined, limit: number): string | undefined {
    const { registry, outbox } = this.parts;
    const now = this.parts.time();
    if (after === undefined) {
      this.cleanUp(now);
      this.parts.onRoundStart(now);
      this.ackRoundIds = registry.sortedIds();
    }
    // After an upgrade in the middle of a round the heap list is gone: rebuild it and resume after `after`.
    const ids = (this.ackRoundIds ??= registry.sortedIds());
    let i = after === undefined ? 0 : upperBound(ids, after);
    const end = Math.min(ids.length, i + limit);
    for (; i < end; i++) {
      const client = registry.getById(ids[i] as string);
      if (client) outbox.queue(client, true, ackMessageContent(client.record.expectedIncomingSeq - 1n), now);
    }
    if (end < ids.length) return ids[end - 1];
    this.ackRoundIds = undefined;
    return undefined;
  }

  checkKeepAlives(after: string | undefined, limit: number): string | undefined {
    const { registry } = this.parts;
    const now = this.parts.time();
    // Ids are re-read each part: clients opened or closed between parts are simply (not) examined.
    const ids = registry.sortedIds();
    let closed = 0;
    for (let i = after === undefined ? 0 : upperBound(ids, after); i < ids.length; i++) {
      if (closed >= limit) return ids[i - 1];
      const client = registry.getById(ids[i] as string);
      if (client && now - client.record.lastKeepAliveNs > this.timeoutNs) {
        this.parts.closeClient(client, 'KeepAliveTimeout', now);
        closed++;
      }
    }
    return undefined;
  }

  /** Prunes old messages of every gateway and forgets gateways empty for an ack interval. */
  private cleanUp(now: bigint): void {
    const { registry, queues } = this.parts;
    for (const gateway of queues.allGateways()) {
      queues.prune(gateway, now - this.intervalNs);
      const emptySince = gateway.record.emptySinceNs;
      if (emptySince !== null && now - emptySince >= this.intervalNs && registry.countOfGateway(gateway.text) === 0) {
        queues.forget(gateway);
      }
    }
  }
}
