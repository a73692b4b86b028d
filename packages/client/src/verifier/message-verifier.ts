import type { Principal } from '@dfinity/principal';
import {
  BatchWitness,
  checkMessageKey,
  ProtocolError,
  verifyCertifiedMessage,
  type CanisterMessageFrame,
  type ClientKey,
  type WebsocketMessage,
} from 'ic-ws-protocol';
import { IcWsClientError } from '../client-error';
import type { CertificateVerifier } from './certificate-verifier';

/** What one session's verifier checks messages against. */
export interface MessageVerifierOptions {
  /** Shared across sessions: certificates do not depend on the session. */
  certificates: CertificateVerifier;
  /** This connection's client key: every message must carry it. */
  clientKey: ClientKey;
  /** The gateway principal of the handshake: every message key must name it. */
  gatewayPrincipal: Principal;
}

/**
 * Verifies every canister message of one session before anything else reads it (docs/protocol.md sections
 * 5.4 and 7): the key, then the certificate (once per batch), then ic-ws-protocol's `verifyCertifiedMessage`
 * with this session's expectations: the key names the handshake's gateway and its nonce grows, the witness
 * proves the content under the certified data, the content is for this client key with exactly the next
 * sequence number. State moves forward only when every check passed, and the first failure is final for the
 * session.
 */
export class MessageVerifier {
  // Messages of one batch share their witness: the last one decoded is kept.
  private witness: BatchWitness | undefined;
  private lastKeyNonce: bigint | undefined;
  private nextSequenceNum = 1n;

  constructor(private readonly options: MessageVerifierOptions) {}

  /** The sequence number of the last verified message (0 before the first): what a keep-alive reports. */
  get lastSequenceNum(): bigint {
    return this.nextSequenceNum - 1n;
  }

  /**
   * @returns the verified message.
   * @throws IcWsClientError with the code of the first failed check (`INVALID_CANISTER_MESSAGE`,
   *   `WRONG_GATEWAY`, `NONCE_NOT_GROWING`, `CERTIFICATE_INVALID`, `WITNESS_INVALID`, `WRONG_CLIENT_KEY`,
   *   `WRONG_SEQUENCE_NUMBER`).
   */
  async verify(frame: CanisterMessageFrame): Promise<WebsocketMessage> {
    const expected = {
      gatewayPrincipal: this.options.gatewayPrincipal,
      clientKey: this.options.clientKey,
      keyNonceAbove: this.lastKeyNonce,
      sequenceNum: this.nextSequenceNum,
    };
    // Cheap checks on the key first: a gateway replaying old batches costs us no BLS verification.
    clientCheck(() => checkMessageKey(frame.key, expected));
    const certifiedData = await this.options.certificates.certifiedData(frame.cert);
    const { message, keyNonce } = clientCheck(() => {
      if (this.witness === undefined || !this.witness.hasBytes(frame.tree)) this.witness = BatchWitness.decode(frame.tree);
      return verifyCertifiedMessage({ witness: this.witness, certifiedData, key: frame.key, content: frame.content }, expected);
    });
    this.lastKeyNonce = keyNonce;
    this.nextSequenceNum += 1n;
    return message;
  }
}

// The protocol's checks throw ProtocolErrors whose codes are the client's; the client reports them as its own
// errors, with the close code of that code.
function clientCheck<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof ProtocolError) throw new IcWsClientError(error.code, error.message, { cause: error });
    throw error;
  }
}
