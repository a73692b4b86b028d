import type { Principal } from '@dfinity/principal';
import {
  decodeWebsocketMessage,
  ErrorCode,
  parseOutgoingKey,
  type CanisterMessageFrame,
  type ClientKey,
  type OutgoingKey,
  type WebsocketMessage,
} from 'ic-ws-protocol';
import { IcWsClientError } from '../client-error';
import type { CertificateVerifier } from './certificate-verifier';
import { WitnessReader } from './witness-reader';

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
 * 5.4 and 6): the key names the handshake's gateway and its nonce grows; the certificate verifies (once per
 * batch); the witness hashes to the certified data and proves sha256(content) at `websocket/<key>`; the
 * content decodes; it is for this client key; its sequence number is exactly the next one. State moves
 * forward only when every check passed, and the first failure is final for the session.
 */
export class MessageVerifier {
  private readonly witnesses = new WitnessReader();
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
    // Cheap checks on the key first: a gateway replaying old batches costs us no BLS verification.
    const key = this.checkKey(frame.key);
    const certifiedData = await this.options.certificates.certifiedData(frame.cert);
    this.witnesses.assertProves(frame.tree, certifiedData, frame.key, frame.content);
    const message = this.decode(frame.content);
    this.checkClientKey(message.client_key);
    if (message.sequence_num !== this.nextSequenceNum) {
      throw new IcWsClientError(
        ErrorCode.WrongSequenceNumber,
        `expected canister message ${this.nextSequenceNum}, got ${message.sequence_num} (key ${frame.key})`,
      );
    }
    this.lastKeyNonce = key.nonce;
    this.nextSequenceNum += 1n;
    return message;
  }

  private checkKey(text: string): OutgoingKey {
    let key: OutgoingKey;
    try {
      key = parseOutgoingKey(text);
    } catch (error) {
      throw IcWsClientError.from(error, ErrorCode.InvalidCanisterMessage, 'invalid message key');
    }
    if (key.gatewayPrincipal.compareTo(this.options.gatewayPrincipal) !== 'eq') {
      throw new IcWsClientError(
        ErrorCode.WrongGateway,
        `message key ${text} names gateway ${key.gatewayPrincipal.toText()}, not ${this.options.gatewayPrincipal.toText()}`,
      );
    }
    if (this.lastKeyNonce !== undefined && key.nonce <= this.lastKeyNonce) {
      throw new IcWsClientError(ErrorCode.NonceNotGrowing, `message key nonce ${key.nonce} is not above ${this.lastKeyNonce}`);
    }
    return key;
  }

  private decode(content: Uint8Array): WebsocketMessage {
    try {
      return decodeWebsocketMessage(content);
    } catch (error) {
      throw IcWsClientError.from(error, ErrorCode.InvalidCanisterMessage, 'certified content is not a WebsocketMessage');
    }
  }

  private checkClientKey(actual: ClientKey): void {
    const own = this.options.clientKey;
    if (actual.client_nonce !== own.client_nonce || actual.client_principal.compareTo(own.client_principal) !== 'eq') {
      throw new IcWsClientError(
        ErrorCode.WrongClientKey,
        `message for client ${actual.client_principal.toText()}/${actual.client_nonce}, not this client`,
      );
    }
  }
}
