import { IDL } from '@dfinity/candid';
import type { Principal } from '@dfinity/principal';
import {
  BatchWitness,
  decodeServiceMessageContent,
  NodeType,
  verifyCertifiedMessage,
  type CanisterOutputCertifiedMessages,
  type ClientKey,
  type HashTree,
  type WebsocketServiceMessageContent,
} from 'ic-ws-protocol';

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

/** Thrown when a polled batch fails a check a real client or gateway would make; a protocol check's error is the `cause`. */
export class VerificationFailure extends Error {
  override readonly name = 'VerificationFailure';
}

/**
 * Where each client's sequence numbers must start: `'one'` from its OpenMessage on; `'first-seen'` anywhere
 * for the first message in view (a poll resumed mid-stream, or older messages pruned before the poll), then
 * one by one.
 */
export type SequenceStart = 'one' | 'first-seen';

/** Options of {@link PolledBatchVerifier}. */
export interface PolledBatchVerifierOptions {
  /** The polling gateway: every key must name it. */
  gateway: Principal;
  /** The Candid type of app messages, to decode them. */
  appMessageIdl: IDL.Type;
  /** @default 'one' */
  sequenceStart?: SequenceStart;
}

/**
 * Checks the batches one gateway polls, for all the clients of that gateway at once: every message through
 * ic-ws-protocol's `verifyCertifiedMessage` (the check each client runs, with that client's key and next
 * sequence number), plus what only the gateway's view shows: the witness reveals exactly the batch's
 * messages, keys are contiguous from the polled nonce, and the uncertified `client_key` next to each message
 * is the certified one. The certificate is the caller's: it hands in the certified data it proved.
 */
export class PolledBatchVerifier {
  private readonly lastSequence = new Map<string, bigint>();

  constructor(private readonly options: PolledBatchVerifierOptions) {}

  /**
   * Whether `batch` has no messages, checking that such a batch has the shape protocol.md section 3 fixes:
   * empty `cert` and `tree`, `is_end_of_queue`.
   * @throws VerificationFailure
   */
  isEmpty(batch: CanisterOutputCertifiedMessages): boolean {
    if (batch.messages.length > 0) return false;
    if (batch.cert.length !== 0 || batch.tree.length !== 0 || !batch.is_end_of_queue) {
      throw new VerificationFailure('an empty batch must have an empty cert and tree and be the end of the queue');
    }
    return true;
  }

  /**
   * Verifies one non-empty batch polled at `polledNonce` under `certifiedData`; returns its messages decoded.
   * @throws VerificationFailure
   */
  verify(batch: CanisterOutputCertifiedMessages, certifiedData: Uint8Array, polledNonce: bigint): VerifiedMessage[] {
    const witness = attempt('the batch witness', () => BatchWitness.decode(batch.tree));
    if (countLeaves(witness.tree) !== batch.messages.length) throw new VerificationFailure('the witness reveals more than the batch');
    const out: VerifiedMessage[] = [];
    let previous: bigint | undefined;
    for (const { key, content, client_key: clientKey } of batch.messages) {
      const id = clientId(clientKey);
      const last = this.lastSequence.get(id);
      const firstSeen = last === undefined && this.options.sequenceStart === 'first-seen';
      const { message, keyNonce } = attempt(`message ${key}`, () =>
        verifyCertifiedMessage(
          { witness, certifiedData, key, content },
          {
            gatewayPrincipal: this.options.gateway,
            clientKey,
            keyNonceAbove: previous ?? (polledNonce > 0n ? polledNonce - 1n : undefined),
            sequenceNum: firstSeen ? 'any' : (last ?? 0n) + 1n,
          },
        ),
      );
      if (previous !== undefined && keyNonce !== previous + 1n) {
        throw new VerificationFailure(`key ${key} is not contiguous with nonce ${previous}`);
      }
      previous = keyNonce;
      this.lastSequence.set(id, message.sequence_num);
      const verified: VerifiedMessage = {
        key,
        nonce: keyNonce,
        clientKey: message.client_key,
        sequenceNum: message.sequence_num,
        timestamp: message.timestamp,
      };
      if (message.is_service_message) verified.service = decodeServiceMessageContent(message.content);
      else verified.app = IDL.decode([this.options.appMessageIdl], message.content)[0];
      out.push(verified);
    }
    return out;
  }

  /** Forgets one client's sequence numbers (its next message in view starts afresh). */
  forget(key: ClientKey): void {
    this.lastSequence.delete(clientId(key));
  }

  /** Forgets every client's sequence numbers (new sessions after a reconnect, or a restarted gateway). */
  reset(): void {
    this.lastSequence.clear();
  }
}

function attempt<T>(what: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new VerificationFailure(`${what}: ${detail}`, { cause: error });
  }
}

/** `<principal>:<nonce>` of a client key. */
export function clientId(key: ClientKey): string {
  return `${key.client_principal.toText()}:${key.client_nonce}`;
}

/** Leaves a witness reveals: a batch's witness must reveal exactly its messages. */
function countLeaves(tree: HashTree): number {
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
