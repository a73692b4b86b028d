import { IDL } from '@dfinity/candid';
import type { Principal } from '@dfinity/principal';
import { sha256 } from '@noble/hashes/sha256';
import {
  CanisterWsGetMessagesResultIdl,
  decodeHashTree,
  decodeServiceMessageContent,
  decodeWebsocketMessage,
  lookupPath,
  NodeType,
  parseOutgoingKey,
  reconstruct,
  type CanisterOutputCertifiedMessages,
  type ClientKey,
  type HashTree,
  type WebsocketServiceMessageContent,
} from 'ic-ws-protocol';
import { CERTIFIED_LABEL } from '../outgoing-queues';
import type { IcWebSocketCanister } from '../ws-canister';
import type { FakeCanisterHost } from './fake-canister-host';

/** One polled message after every check a client makes, decoded. */
export interface VerifiedMessage {
  key: string;
  nonce: bigint;
  clientKey: ClientKey;
  sequenceNum: bigint;
  timestamp: bigint;
  /** The decoded service message, for service messages. */
  service?: WebsocketServiceMessageContent;
  /** The decoded app message, for app messages. */
  app?: unknown;
}

/** Thrown by {@link FakeGateway} when a reply fails a check a real client or gateway would make. */
export class VerificationFailure extends Error {
  override readonly name = 'VerificationFailure';
}

/**
 * A recording fake gateway for tests: polls `ws_get_messages` like the real gateway (next nonce, again while
 * not at the end of the queue) and checks every batch as a client would (protocol.md section 5.4 and the
 * hardening of section 6): certificate of the last certified data, witness root equal to it, each leaf equal
 * to sha256(content), content decoding, client key, contiguous keys of this gateway, sequence numbers 1, 2, ...
 * per client without gaps. Any failure throws {@link VerificationFailure}.
 */
export class FakeGateway {
  /** The nonce of the next poll. */
  nextNonce = 0n;
  /** Candid size of every reply received, in order. */
  readonly replyBytes: number[] = [];
  /** Every batch received, in order. */
  readonly batches: CanisterOutputCertifiedMessages[] = [];
  private readonly lastSequence = new Map<string, bigint>();

  constructor(
    readonly principal: Principal,
    private canister: IcWebSocketCanister<unknown>,
    private host: FakeCanisterHost,
    private readonly appMessageIdl: IDL.Type = IDL.Null,
    /** Off only for tests that let messages be pruned before polling: a real client would see the gap. */
    private readonly checkSequences = true,
  ) {}

  /** One `ws_get_messages` from {@link nextNonce}; returns the verified messages. */
  poll(): { messages: VerifiedMessage[]; isEndOfQueue: boolean } {
    const result = this.host.query(() => this.canister.wsGetMessages({ nonce: this.nextNonce }, this.principal));
    this.replyBytes.push(IDL.encode([CanisterWsGetMessagesResultIdl], [result]).length);
    if ('Err' in result) throw new VerificationFailure(`ws_get_messages returned Err: ${result.Err}`);
    const batch = result.Ok;
    this.batches.push(batch);
    if (batch.messages.length === 0) {
      if (batch.cert.length !== 0 || batch.tree.length !== 0 || !batch.is_end_of_queue) {
        throw new VerificationFailure('an empty batch must have empty cert and tree and is_end_of_queue');
      }
      return { messages: [], isEndOfQueue: true };
    }
    return { messages: this.verify(batch), isEndOfQueue: batch.is_end_of_queue };
  }

  /** Polls until the end of the queue; returns every verified message. */
  pollAll(): VerifiedMessage[] {
    const out: VerifiedMessage[] = [];
    for (;;) {
      const { messages, isEndOfQueue } = this.poll();
      out.push(...messages);
      if (isEndOfQueue) return out;
    }
  }

  /** Polls another canister instance from now on (the same canister after a simulated upgrade). */
  attach(canister: IcWebSocketCanister<unknown>, host: FakeCanisterHost): void {
    this.canister = canister;
    this.host = host;
  }

  /** Forgets the sequence numbers seen (a new client session after a reconnect, or a restarted gateway). */
  resetSequences(): void {
    this.lastSequence.clear();
  }

  private verify(batch: CanisterOutputCertifiedMessages): VerifiedMessage[] {
    const certified = this.host.certifiedData;
    if (!certified) throw new VerificationFailure('messages served before any certified data was set');
    const expectedCert = new Uint8Array([0x43, 0x45, 0x52, 0x54, 0x3a, ...certified]);
    if (!equal(batch.cert, expectedCert)) throw new VerificationFailure('cert is not the certificate of the certified data');
    const tree = decodeHashTree(batch.tree);
    if (!equal(reconstruct(tree), certified)) throw new VerificationFailure('witness root hash differs from the certified data');
    if (countLeaves(tree) !== batch.messages.length) throw new VerificationFailure('witness reveals more than the batch');

    const out: VerifiedMessage[] = [];
    let previous: bigint | undefined;
    for (const message of batch.messages) {
      const leaf = lookupPath(tree, [CERTIFIED_LABEL, message.key]);
      if (leaf.status !== 'found' || !equal(leaf.value, sha256(message.content))) {
        throw new VerificationFailure(`leaf of ${message.key} is not sha256(content)`);
      }
      const { gatewayPrincipal, nonce } = parseOutgoingKey(message.key);
      if (gatewayPrincipal.toText() !== this.principal.toText()) throw new VerificationFailure(`key ${message.key} names another gateway`);
      if (nonce < this.nextNonce) throw new VerificationFailure(`key ${message.key} is below the polled nonce`);
      if (previous !== undefined && nonce !== previous + 1n) throw new VerificationFailure(`key ${message.key} is not contiguous`);
      previous = nonce;

      const decoded = decodeWebsocketMessage(message.content);
      const clientId = `${decoded.client_key.client_principal.toText()}:${decoded.client_key.client_nonce}`;
      const outer = `${message.client_key.client_principal.toText()}:${message.client_key.client_nonce}`;
      if (clientId !== outer) throw new VerificationFailure(`client_key of ${message.key} differs from its content`);
      const expectedSeq = (this.lastSequence.get(clientId) ?? 0n) + 1n;
      if (this.checkSequences && decoded.sequence_num !== expectedSeq) {
        throw new VerificationFailure(`${clientId}: sequence ${decoded.sequence_num}, expected ${expectedSeq}`);
      }
      this.lastSequence.set(clientId, decoded.sequence_num);
      const verified: VerifiedMessage = {
        key: message.key,
        nonce,
        clientKey: decoded.client_key,
        sequenceNum: decoded.sequence_num,
        timestamp: decoded.timestamp,
      };
      if (decoded.is_service_message) verified.service = decodeServiceMessageContent(decoded.content);
      else verified.app = IDL.decode([this.appMessageIdl], decoded.content)[0];
      out.push(verified);
    }
    this.nextNonce = (previous as bigint) + 1n;
    return out;
  }
}

/** Byte equality (shared with the real-certificate verifier of the integration tests). */
export function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** Leaves a witness reveals: a batch's witness must reveal exactly its messages. */
export function countLeaves(tree: HashTree): number {
  switch (tree[0]) {
    case NodeType.Leaf:
      return 1;
    case NodeType.Fork:
      return countLeaves(tree[1]) + countLeaves(tree[2]);
    case NodeType.Labeled:
      return countLeaves(tree[2]);
    default:
      return 0;
  }
}
