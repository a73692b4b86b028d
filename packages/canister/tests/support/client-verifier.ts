/**
 * The checks a client makes on every canister message before using it (protocol.md section 5.4), against the
 * real IC certificate a devnet query returns: the certificate verifies against the devnet root key (BLS
 * signature, canister range, time) once per batch, since all messages of one poll share it; then every
 * message goes through ic-ws-protocol's `verifyCertifiedMessage` with the certified data that certificate
 * proved, and the gateway-wide checks of {@link PolledBatchVerifier} (the witness reveals exactly the batch,
 * keys contiguous from the polled nonce, sequence numbers per client without gaps).
 *
 * Any failure throws a `VerificationFailure`; tests therefore never see an unverified message.
 */
import { Certificate, lookupResultToBuffer } from '@dfinity/agent';
import type { IDL } from '@dfinity/candid';
import type { Principal } from '@dfinity/principal';
import type { CanisterOutputCertifiedMessages, ClientKey } from 'ic-ws-protocol';
import {
  clientId,
  PolledBatchVerifier,
  VerificationFailure,
  type SequenceStart,
  type VerifiedMessage,
} from '../../src/testing/polled-batch-verifier';

export { clientId, type VerifiedMessage };

/** Verifies the batches one gateway polls from one canister; tracks sequence numbers per client. */
export class ClientVerifier {
  private readonly batches: PolledBatchVerifier;
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
      sequenceFrom?: SequenceStart;
    },
  ) {
    this.batches = new PolledBatchVerifier({ gateway: options.gateway, appMessageIdl: options.appMessageIdl, sequenceStart: options.sequenceFrom ?? 'one' });
  }

  /** Checks one `ws_get_messages` reply polled at `polledNonce`; returns its messages decoded. */
  async verifyBatch(batch: CanisterOutputCertifiedMessages, polledNonce: bigint): Promise<VerifiedMessage[]> {
    if (this.batches.isEmpty(batch)) return [];
    return this.batches.verify(batch, await this.certifiedData(batch.cert), polledNonce);
  }

  /** Forgets the sequence numbers of one client (a new connection may reuse nothing, but tests reset). */
  forget(key: ClientKey): void {
    this.batches.forget(key);
  }

  private async certifiedData(cert: Uint8Array): Promise<Uint8Array> {
    const { canisterId, rootKey } = this.options;
    const certificate = await Certificate.create({ certificate: cert, rootKey, canisterId });
    this.certificatesVerified++;
    const data = lookupResultToBuffer(certificate.lookup_path(['canister', canisterId.toUint8Array(), 'certified_data']));
    if (data === undefined) throw new VerificationFailure('the certificate has no certified_data for the canister');
    return data;
  }
}
