import { Principal } from '@dfinity/principal';
import {
  CertifiedMap,
  certifiedMessageHash,
  certifiedMessagesRootHash,
  encodeCanisterOutputMessage,
  encodeMessagesRangeWitness,
  encodeWebsocketMessage,
  formatOutgoingKeyOfText,
  type WebsocketMessage,
} from 'ic-ws-protocol';
import { HeldWrites } from './held-writes';
import { KeyBytes } from './key-bytes';
import { queueKeyPriority } from './queue-key-priority';
import { interpreterSha256Into } from './sha256';
import {
  decodeGatewayRecord,
  decodeQueuedMessageRecord,
  encodeGatewayRecord,
  encodeQueuedMessageRecord,
  queuedAtOfMessageRecord,
  type GatewayRecord,
  type GatewayStanding,
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
  // Node hashes with the SHA-256 that is fastest where this runs (an Azle canister's interpreter), in a shape
  // made for queues (few node hashes per append and per prune: queue-key-priority.ts).
  private readonly certified = new CertifiedMap({ sha256: interpreterSha256Into, priority: queueKeyPriority });
  private readonly keyBytes = new KeyBytes();
  private readonly writes = new HeldWrites<GatewayQueue>(
    (gateway) => this.gatewayStore.set(gateway.text, encodeGatewayRecord(gateway.record)),
    (gateway) => this.gateways.get(gateway.text) === gateway,
  );
  // Gateways by standing other than proven, oldest first (see gateway-admission.ts).
  private readonly pending = new Map<string, GatewayQueue>();
  private readonly vouched = new Map<string, GatewayQueue>();
  private changed = false;

  constructor(
    private readonly gatewayStore: StableMap,
    private readonly messageStore: StableMap,
  ) {}

  /** Rebuilds the gateway index and the certified map from stable storage (post_upgrade). */
  load(): void {
    this.gateways.clear();
    this.pending.clear();
    this.vouched.clear();
    this.certified.clear();
    for (const [text, bytes] of this.gatewayStore.entries()) {
      this.gateways.set(text, {
        principal: Principal.fromText(text),
        text,
        record: decodeGatewayRecord(bytes),
        oldestQueuedAtNs: undefined,
      });
    }
    const unproven = [...this.gateways.values()].filter((g) => g.record.standing.kind !== 'proven');
    unproven.sort((a, b) => compareBigint(sinceOf(a), sinceOf(b)));
    for (const gateway of unproven) this.indexOf(gateway.record.standing)?.set(gateway.text, gateway);
    for (const [key, bytes] of this.messageStore.entries()) {
      this.certified.set(this.keyBytes.encode(key), decodeQueuedMessageRecord(bytes, key).hash);
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

  /** Number of registered gateways, pending ones included. */
  get gatewayCount(): number {
    return this.gateways.size;
  }

  /** Number of vouched and proven gateways (the ones `maxGateways` bounds). */
  get confirmedCount(): number {
    return this.gateways.size - this.pending.size;
  }

  /** The pending gateways, oldest registration first (a snapshot). */
  pendingGateways(): GatewayQueue[] {
    return [...this.pending.values()];
  }

  /** The vouched (not proven) gateways, oldest first (a snapshot). */
  vouchedGateways(): GatewayQueue[] {
    return [...this.vouched.values()];
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

  /**
   * The gateway, registered with nonces from 0 and `standing` if it is new. An already registered gateway is
   * returned as it is.
   */
  register(principal: Principal, standing: GatewayStanding = { kind: 'proven' }): GatewayQueue {
    const text = principal.toText();
    let gateway = this.gateways.get(text);
    if (!gateway) {
      gateway = { principal, text, record: { oldestNonce: 0n, nextNonce: 0n, emptySinceNs: null, standing }, oldestQueuedAtNs: undefined };
      this.gateways.set(text, gateway);
      this.indexOf(standing)?.set(text, gateway);
      this.save(gateway);
    }
    return gateway;
  }

  /** Changes a gateway's standing (it joins the end of its new standing's order). */
  setStanding(gateway: GatewayQueue, standing: GatewayStanding): void {
    this.indexOf(gateway.record.standing)?.delete(gateway.text);
    gateway.record.standing = standing;
    this.indexOf(standing)?.set(gateway.text, gateway);
    this.save(gateway);
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

  /**
   * Queues `message` for the gateway under its next key and certifies it; returns the key. The message is
   * encoded here once, as CBOR (what is certified) inside the Candid `CanisterOutputMessage` a poll returns.
   */
  enqueue(gateway: GatewayQueue, message: WebsocketMessage, queuedAtNs: bigint): string {
    const nonce = gateway.record.nextNonce;
    const key = formatOutgoingKeyOfText(gateway.text, nonce);
    const content = encodeWebsocketMessage(message);
    const hash = certifiedMessageHash(content, interpreterSha256Into);
    const keyBytes = this.keyBytes.encode(key);
    const output = encodeCanisterOutputMessage({ client_key: message.client_key, key, content }, keyBytes);
    this.messageStore.set(key, encodeQueuedMessageRecord({ queuedAtNs, hash, output }));
    this.certified.set(keyBytes, hash);
    if (gateway.record.oldestNonce === nonce) gateway.oldestQueuedAtNs = queuedAtNs;
    gateway.record.nextNonce = nonce + 1n;
    this.save(gateway);
    this.changed = true;
    return key;
  }

  /**
   * Deletes the gateway's oldest messages queued before `cutoffNs`, at most `limit` of them (a bound on one
   * call's work; the ack timer catches up), but only if the oldest was queued before `startBeforeNs` (an
   * earlier time lets expired messages gather and go in one batch: deleting a run of neighbours rehashes
   * their shared path once). Returns how many were deleted.
   */
  prune(gateway: GatewayQueue, cutoffNs: bigint, limit = Infinity, startBeforeNs = cutoffNs): number {
    let deleted = 0;
    const { record } = gateway;
    let threshold = startBeforeNs;
    while (deleted < limit && record.oldestNonce < record.nextNonce) {
      const key = formatOutgoingKeyOfText(gateway.text, record.oldestNonce);
      if (gateway.oldestQueuedAtNs === undefined) {
        const bytes = this.messageStore.get(key);
        // A missing record (never expected) is pruned like an old one rather than blocking the queue.
        gateway.oldestQueuedAtNs = bytes ? queuedAtOfMessageRecord(bytes) : cutoffNs - 1n;
      }
      if (gateway.oldestQueuedAtNs >= threshold) break;
      threshold = cutoffNs;
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
      this.deleteMessage(formatOutgoingKeyOfText(gateway.text, nonce));
    }
    this.writes.drop(gateway);
    this.gateways.delete(gateway.text);
    this.indexOf(gateway.record.standing)?.delete(gateway.text);
    this.gatewayStore.delete(gateway.text);
  }

  /** The message with this nonce in the gateway's queue, if still queued. O(log n). */
  read(gateway: GatewayQueue, nonce: bigint): QueuedMessage | undefined {
    if (nonce < gateway.record.oldestNonce || nonce >= gateway.record.nextNonce) return undefined;
    const key = formatOutgoingKeyOfText(gateway.text, nonce);
    const bytes = this.messageStore.get(key);
    return bytes ? { key, record: decodeQueuedMessageRecord(bytes, key) } : undefined;
  }

  /**
   * The encoded witness of a batch of consecutive queued keys, `firstKey` to `lastKey`, revealing exactly
   * those (protocol.md section 3).
   */
  witness(firstKey: string, lastKey: string): Uint8Array {
    return encodeMessagesRangeWitness(this.certified, this.keyBytes.encode(firstKey), this.keyBytes.encode(lastKey));
  }

  private deleteMessage(key: string): void {
    this.messageStore.delete(key);
    if (this.certified.delete(this.keyBytes.encode(key))) this.changed = true;
  }

  /**
   * Holds the writes of gateway records until {@link flush}: a batch of sends changes a gateway's record per
   * message, and one write at the end is enough.
   */
  hold(): void {
    this.writes.hold();
  }

  /** Writes the gateway records held since {@link hold} (of gateways still registered) and stops holding. */
  flush(): void {
    this.writes.flush();
  }

  private indexOf(standing: GatewayStanding): Map<string, GatewayQueue> | undefined {
    return standing.kind === 'pending' ? this.pending : standing.kind === 'vouched' ? this.vouched : undefined;
  }

  private save(gateway: GatewayQueue): void {
    this.writes.save(gateway);
  }
}

function sinceOf(gateway: GatewayQueue): bigint {
  const { standing } = gateway.record;
  return standing.kind === 'proven' ? 0n : standing.sinceNs;
}

function compareBigint(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
