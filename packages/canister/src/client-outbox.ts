import { ErrorCode, outgoingKeyLength, websocketMessageEncodedLength } from 'ic-ws-protocol';
import { CanisterError } from './canister-error';
import { clientKeyOf, type ClientRegistry, type ConnectedClient } from './client-registry';
import { worstCaseSingleReplyBytes } from './messages-reply';
import type { GatewayQueue, OutgoingQueues } from './outgoing-queues';

// Bound on the old messages one queueing prunes, so a send after a long quiet spell stays cheap; the ack
// round prunes the rest.
const PRUNE_PER_SEND = 64;
// Sends prune once the oldest message has outlived the retention by a sixteenth more, and then every expired
// one (up to PRUNE_PER_SEND): expired messages go in batches (a run of neighbours shares its path in the
// certified map, rehashed once, and the next oldest message's time is read once per batch) instead of one per
// send. Measured in the devnet (instructions, ws-test canister, 61 s retention, a `ws_message` with a message
// id and a `broadcast` every 400 ms): ws_message median 42.4 M pruning one by one, 32.9 M in batches
// (broadcast 31.1 M -> 23.9 M); the call that prunes a batch costs more (max 70.6 M against 65.3 M). Queues
// hold at most a sixteenth more than the retention; a full queue prunes at once.
const PRUNE_SLACK_DIVISOR = 16n;

/** Limits the outbox enforces. */
export interface OutboxLimits {
  /** How long queued messages are kept at least (the ack interval), in ns. */
  retentionNs: bigint;
  maxReplyBytes: number;
  maxQueuedMessagesPerGateway: number;
}

/**
 * Queues messages for clients: gives each the client's next outgoing sequence number and its gateway's next
 * key, prunes what has outlived the retention, and, for app messages, checks size and queue room for every
 * target before queueing anything, so a refused send leaves the queues as they were.
 */
export class ClientOutbox {
  constructor(
    private readonly registry: ClientRegistry,
    private readonly queues: OutgoingQueues,
    private readonly limits: OutboxLimits,
  ) {}

  /** Queues one message for `client` (service messages skip the room check: they are few per client). */
  queue(client: ConnectedClient, isService: boolean, content: Uint8Array, now: bigint): void {
    const gateway = this.gatewayOf(client.gatewayText);
    const sequenceNum = client.record.nextOutgoingSeq;
    client.record.nextOutgoingSeq = sequenceNum + 1n;
    this.registry.save(client);
    this.queues.enqueue(
      gateway,
      { client_key: clientKeyOf(client), sequence_num: sequenceNum, timestamp: now, is_service_message: isService, content },
      now,
    );
    this.pruneBatched(gateway, now);
  }

  /**
   * Queues the Candid app message `content` for every target, or throws `MESSAGE_TOO_LARGE` / `QUEUE_FULL`
   * having queued nothing.
   */
  queueApp(targets: readonly ConnectedClient[], content: Uint8Array, now: bigint): void {
    const perGateway = new Map<string, number>();
    for (const client of targets) {
      const encoded = websocketMessageEncodedLength({
        client_key: clientKeyOf(client),
        sequence_num: client.record.nextOutgoingSeq,
        timestamp: now,
        is_service_message: false,
        content,
      });
      if (worstCaseSingleReplyBytes(encoded, outgoingKeyLength(client.gatewayText)) > this.limits.maxReplyBytes) {
        throw new CanisterError(
          ErrorCode.MessageTooLarge,
          `a message of ${content.length} Candid bytes cannot fit in a ws_get_messages reply of maxReplyBytes ` +
            `(${this.limits.maxReplyBytes}) with its certificate and witness`,
        );
      }
      perGateway.set(client.gatewayText, (perGateway.get(client.gatewayText) ?? 0) + 1);
    }
    for (const [text, count] of perGateway) {
      const gateway = this.gatewayOf(text);
      if (!this.hasRoom(gateway, count, now)) {
        throw new CanisterError(
          ErrorCode.QueueFull,
          `the queue of gateway ${text} holds ${this.queues.length(gateway)} messages; ${count} more would exceed ` +
            `maxQueuedMessagesPerGateway (${this.limits.maxQueuedMessagesPerGateway})`,
        );
      }
    }
    for (const client of targets) this.queue(client, false, content, now);
  }

  /** Whether `count` more messages fit in the gateway's queue, after pruning what has outlived retention. */
  hasRoom(gateway: GatewayQueue, count: number, now: bigint): boolean {
    this.pruneBatched(gateway, now);
    if (this.fits(gateway, count)) return true;
    this.queues.prune(gateway, now - this.limits.retentionNs, PRUNE_PER_SEND);
    return this.fits(gateway, count);
  }

  private fits(gateway: GatewayQueue, count: number): boolean {
    return this.queues.length(gateway) + count <= this.limits.maxQueuedMessagesPerGateway;
  }

  private pruneBatched(gateway: GatewayQueue, now: bigint): void {
    const cutoff = now - this.limits.retentionNs;
    this.queues.prune(gateway, cutoff, PRUNE_PER_SEND, cutoff - this.limits.retentionNs / PRUNE_SLACK_DIVISOR);
  }

  /** The registered gateway of a client. */
  gatewayOf(text: string): GatewayQueue {
    const gateway = this.queues.gateway(text);
    // Clients are only registered through a registered gateway, and a gateway is only forgotten without clients.
    if (!gateway) throw new CanisterError(ErrorCode.StableStateCorrupt, `client registered through unknown gateway ${text}`);
    return gateway;
  }
}
