/**
 * The checks a client makes on every canister message before using it (protocol.md section 5.4 and the
 * hardening of section 6), written against the real IC certificate a devnet query returns:
 *
 * 1. the certificate verifies against the devnet root key (BLS signature, canister range, time), once per
 *    batch since all messages of one poll share it;
 * 2. the witness (`tree`) decodes and its root hash equals the certificate's `canister/<id>/certified_data`;
 * 3. the witness holds `websocket/<key>` for each message, equal to sha256(content), and reveals nothing else;
 * 4. each key names this gateway, keys are contiguous and start at the polled nonce (or later, if older
 *    messages were pruned);
 * 5. `content` decodes as a WebsocketMessage whose client key equals the message's, with sequence number
 *    exactly one above the last one seen for that client; service and app payloads decode.
 *
 * Any failure throws {@link ClientVerificationError}; tests therefore never see an unverified message.
 */
import { Certificate, lookupResultToBuffer } from '@dfinity/agent';
import { IDL } from '@dfinity/candid';
import type { Principal } from '@dfinity/principal';
import { sha256 } from '@noble/hashes/sha256';
import {
  decodeHashTree,
  decodeServiceMessageContent,
  decodeWebsocketMessage,
  lookupPath,
  parseOutgoingKey,
  reconstruct,
  type CanisterOutputCertifiedMessages,
  type ClientKey,
} from 'ic-ws-protocol';
import { countLeaves, equal, type VerifiedMessage } from '../../src/testing/fake-gateway';

export type { VerifiedMessage };

/** A check a client makes failed. */
export class ClientVerificationError extends Error {
  override readonly name = 'ClientVerificationError';
}

/** `<principal>:<nonce>` of a client key. */
export function clientId(key: ClientKey): string {
  return `${key.client_principal.toText()}:${key.client_nonce}`;
}

const utf8 = (text: string) => new TextEncoder().encode(text);

/** Verifies the batches one gateway polls from one canister; tracks sequence numbers per client. */
export class ClientVerifier {
  private readonly lastSequence = new Map<string, bigint>();
  /** Batches whose certificate was verified (one BLS verification each). */
  certificatesVerified = 0;

  constructor(
    private readonly options: {
      canisterId: Principal;
      /** DER root key of the devnet. */
      rootKey: Uint8Array;
      gateway: Principal;
      appMessageIdl: IDL.Type;
      /**
       * `'one'`: every client's first message must be sequence 1 (a client from its open on). `'first-seen'`:
       * a client's first message in view may have any sequence number (a poll resumed in the middle).
       * @default 'one'
       */
      sequenceFrom?: 'one' | 'first-seen';
    },
  ) {}

  /** Checks one `ws_get_messages` reply polled at `polledNonce`; returns its messages decoded. */
  async verifyBatch(batch: CanisterOutputCertifiedMessages, polledNonce: bigint): Promise<VerifiedMessage[]> {
    if (batch.messages.length === 0) {
      if (batch.cert.length !== 0 || batch.tree.length !== 0 || !batch.is_end_of_queue) {
        throw new ClientVerificationError('an empty batch must have an empty cert and tree and be the end of the queue');
      }
      return [];
    }
    const certifiedData = await this.certifiedData(batch.cert);
    const tree = decodeHashTree(batch.tree);
    if (!equal(reconstruct(tree), certifiedData)) throw new ClientVerificationError('witness root hash differs from certified_data');
    if (countLeaves(tree) !== batch.messages.length) throw new ClientVerificationError('witness reveals leaves beyond the batch');

    const out: VerifiedMessage[] = [];
    let previous: bigint | undefined;
    for (const message of batch.messages) {
      const leaf = lookupPath(tree, ['websocket', message.key]);
      if (leaf.status !== 'found' || !equal(leaf.value, sha256(message.content))) {
        throw new ClientVerificationError(`witness leaf of ${message.key} is not sha256(content)`);
      }
      const { gatewayPrincipal, nonce } = parseOutgoingKey(message.key);
      if (gatewayPrincipal.toText() !== this.options.gateway.toText()) throw new ClientVerificationError(`${message.key} names another gateway`);
      if (previous === undefined ? nonce < polledNonce : nonce !== previous + 1n) {
        throw new ClientVerificationError(`${message.key}: nonce not contiguous from ${polledNonce}`);
      }
      previous = nonce;

      const decoded = decodeWebsocketMessage(message.content);
      const id = clientId(decoded.client_key);
      if (id !== clientId(message.client_key)) throw new ClientVerificationError(`${message.key}: client_key differs from the content's`);
      const last = this.lastSequence.get(id);
      const expected = last === undefined && this.options.sequenceFrom === 'first-seen' ? decoded.sequence_num : (last ?? 0n) + 1n;
      if (decoded.sequence_num !== expected) {
        throw new ClientVerificationError(`${id}: sequence number ${decoded.sequence_num}, expected ${expected}`);
      }
      this.lastSequence.set(id, decoded.sequence_num);
      const verified: VerifiedMessage = {
        key: message.key,
        nonce,
        clientKey: decoded.client_key,
        sequenceNum: decoded.sequence_num,
        timestamp: decoded.timestamp,
      };
      if (decoded.is_service_message) verified.service = decodeServiceMessageContent(decoded.content);
      else verified.app = IDL.decode([this.options.appMessageIdl], decoded.content)[0];
      out.push(verified);
    }
    return out;
  }

  /** Forgets the sequence numbers of one client (a new connection may reuse nothing, but tests reset). */
  forget(key: ClientKey): void {
    this.lastSequence.delete(clientId(key));
  }

  private async certifiedData(cert: Uint8Array): Promise<Uint8Array> {
    const { canisterId, rootKey } = this.options;
    const certificate = await Certificate.create({ certificate: cert, rootKey, canisterId });
    this.certificatesVerified++;
    const path = [utf8('canister'), canisterId.toUint8Array(), utf8('certified_data')];
    const data = lookupResultToBuffer(certificate.lookup_path(path));
    if (data === undefined) throw new ClientVerificationError('the certificate has no certified_data for the canister');
    return data;
  }
}
