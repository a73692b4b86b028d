import { Principal } from '@dfinity/principal';
import {
  CertifiedMap,
  certifiedMessageHash,
  certifiedMessagesRootHash,
  encodeMessagesWitness,
  encodeWebsocketMessage,
  formatOutgoingKey,
  type WebsocketMessage,
} from 'ic-ws-protocol';
import {
  decodeGatewayRecord,
  decodeQueuedMessageRecord,
  encodeGatewayRecord,
  encodeQueuedMessageRecord,
  type GatewayRecord,
  type QueuedMessageRecord,
} from './stable-records';
import type { StableMap } from './stable-store';

/** A registered gateway: its principal and its queue bounds. */
export interface GatewayQueue {
  readonly principal: Principal;
  readonly text: string;
  readonly record: GatewayRecord;
  /**
   * Heap cache of when the oldest queued message was queued (`undefined`: not known yet), so the prune check
   * on every send does not read a message back from stable storage.
   */
  oldestQueuedAtNs: bigint | undefined;
}

/** A queued message read back for a reply. */
export interface QueuedMessage {
  readonly key: string;
  readonly record: QueuedMessageRecord;
}

/**
 * Per-gateway outgoing queues. A gateway's messages are keyed `<gateway>_<20-digit nonce>` with contiguous
 * nonces from `oldestNonce` to `nextNonce - 1`, so reading, queueing and pruning touch only the keys
 * involved: O(log n) each, never a copy of a queue. Every queued message is also in the certified map
 * (key -> sha256 of its bytes); `dirty` says the certified data must be set again.
 */
export class OutgoingQueues {
  private readonly gateways = new Map<string, GatewayQueue>();
  private readonly certified = new CertifiedMap();
  private changed = false;

  constructor(
    private readonly gatewayStore: StableMap,
    private readonly messageStore: StableMap,
  ) {}

  /** Rebuilds the gateway index and the certified map from stable storage (post_upgrade). */
  load(): void {
    this.gateways.clear();
    this.certified.clear();
    for (const [text, bytes] of this.gatewayStore.entries()) {
      this.gateways.set(text, {
        principal: Principal.fromText(text),
        text,
        record: decodeGatewayRecord(bytes),
        oldestQueuedAtNs: undefined,
      });
    }
    for (const [key, bytes] of this.messageStore.entries()) {
      this.certified.set(key, decodeQueuedMessageRecord(bytes).hash);
    }
    this.changed = true;
  }

  /** Whether queued messages changed since the last {@link takeCertifiedData}. */
  get dirty(): boolean {
    return this.changed;
  }

  /** The canister's certified data for the current queues; clears {@link dirty}. O(1). */
  takeCertifiedData(): Uint8Array {
    this.changed = false;
    return certifiedMessagesRootHash(this.certified);
  }

  /** Number of registered gateways. */
  get gatewayCount(): number {
    return this.gateways.size;
  }

  /** Number of messages queued over all gateways. */
  get messageCount(): number {
    return this.certified.size;
  }

  /** The registered gateway with this principal text. */
  gateway(text: string): GatewayQueue | undefined {
    return this.gateways.get(text);
  }

  /** Every registered gateway (a snapshot). */
  allGateways(): GatewayQueue[] {
    return [...this.gateways.values()];
  }

  /** The gateway, registered with nonces from 0 if it is new. */
  register(principal: Principal): GatewayQueue {
    const text = principal.toText();
    let gateway = this.gateways.get(text);
    if (!gateway) {
      gateway = { principal, text, record: { oldestNonce: 0n, nextNonce: 0n, emptySinceNs: null }, oldestQueuedAtNs: undefined };
      this.gateways.set(text, gateway);
      this.save(gateway);
    }
    return gateway;
  }

  /** Number of messages in the gateway's queue. */
  length(gateway: GatewayQueue): number {
    return Number(gateway.record.nextNonce - gateway.record.oldestNonce);
  }

  /** Records that the gateway's last client left (`at`, ns) or that it has clients again (`null`). */
  setEmptySince(gateway: GatewayQueue, at: bigint | null): void {
    if (gateway.record.emptySinceNs === at) return;
    gateway.record.emptySinceNs = at;
    this.save(gateway);
  }

  /** Queues `message` for the gateway under its next key and certifies it; returns the key. */
  enqueue(gateway: GatewayQueue, message: WebsocketMessage, queuedAtNs: bigint): string {
    const nonce = gateway.record.nextNonce;
    const key = formatOutgoingKey(gateway.principal, nonce);
    const content = encodeWebsocketMessage(message);
    const hash = certifiedMessageHash(content);
    const record: QueuedMessageRecord = {
      clientPrincipal: message.client_key.client_principal,
      clientNonce: message.client_key.client_nonce,
      queuedAtNs,
      hash,
      content,
    };
    this.messageStore.set(key, encodeQueuedMessageRecord(record));
    this.certified.set(key, hash);
    if (gateway.record.oldestNonce === nonce) gateway.oldestQueuedAtNs = queuedAtNs;
    gateway.record.nextNonce = nonce + 1n;
    this.save(gateway);
    this.changed = true;
    return key;
  }

  /**
   * Deletes the gateway's oldest messages queued before `cutoffNs`, at most `limit` of them (a bound on one
   * call's work; the ack timer catches up). Returns how many were deleted.
   */
  prune(gateway: GatewayQueue, cutoffNs: bigint, limit = Infinity): number {
    let deleted = 0;
    const { record } = gateway;
    while (deleted < limit && record.oldestNonce < record.nextNonce) {
      const key = formatOutgoingKey(gateway.principal, record.oldestNonce);
      if (gateway.oldestQueuedAtNs === undefined) {
        const bytes = this.messageStore.get(key);
        // A missing record (never expected) is pruned like an old one rather than blocking the queue.
        gateway.oldestQueuedAtNs = bytes ? decodeQueuedMessageRecord(bytes).queuedAtNs : cutoffNs - 1n;
      }
      if (gateway.oldestQueuedAtNs >= cutoffNs) break;
      this.deleteMessage(key);
      gateway.oldestQueuedAtNs = undefined;
      record.oldestNonce++;
      deleted++;
    }
    if (deleted > 0) this.save(gateway);
    return deleted;
  }

  /** Deletes the gateway and every message still queued for it. */
  forget(gateway: GatewayQueue): void {
    for (let nonce = gateway.record.oldestNonce; nonce < gateway.record.nextNonce; nonce++) {
      this.deleteMessage(formatOutgoingKey(gateway.principal, nonce));
    }
    this.gateways.delete(gateway.text);
    this.gatewayStore.delete(gateway.text);
  }

  /** The message with this nonce in the gateway's queue, if still queued. O(log n). */
  read(gateway: GatewayQueue, nonce: bigint): QueuedMessage | undefined {
    if (nonce < gateway.record.oldestNonce || nonce >= gateway.record.nextNonce) return undefined;
    const key = formatOutgoingKey(gateway.principal, nonce);
    const bytes = this.messageStore.get(key);
    return bytes ? { key, record: decodeQueuedMessageRecord(bytes) } : undefined;
  }

  /** The encoded witness of a batch revealing exactly `keys` (protocol.md section 3). */
  witness(keys: readonly string[]): Uint8Array {
    return encodeMessagesWitness(this.certified, keys);
  }

  private deleteMessage(key: string): void {
    this.messageStore.delete(key);
    if (this.certified.delete(key)) this.changed = true;
  }

  private save(gateway: GatewayQueue): void {
    this.gatewayStore.set(gateway.text, encodeGatewayRecord(gateway.record));
  }
}
