/**
 * The one check of "this certified message is genuine and meant for me" (docs/protocol.md sections 5.4 and
 * 7). The client runs it on every canister message; the test verifiers of every package call it too, so the
 * rule cannot drift between them. Checking the IC certificate itself (BLS signature, subnet delegation, time)
 * stays with the caller, who hands in the certified data that certificate proved.
 */
import type { Principal } from '@dfinity/principal';
import type { ClientKey, WebsocketMessage } from '../candid/types';
import { decodeWebsocketMessage } from '../cbor/websocket-message';
import { ErrorCode, ProtocolError } from '../errors';
import { lookupPath } from '../hash-tree/hash-tree';
import { bytesEqual } from '../hash-tree/label-bytes';
import { outgoingKeyNonce } from '../key';
import { BatchWitness } from './batch-witness';
import { CERTIFIED_LABEL, certifiedMessageHash } from './certified-messages-tree';

/** Who a message key must be for: see {@link checkMessageKey}. */
export interface MessageKeyExpectation {
  /** The gateway the key must name: the gateway of the handshake (a client), or one's own (a gateway). */
  gatewayPrincipal: Principal;
  /** The key's nonce must be above this: the key nonce of the last message accepted. Absent before the first. */
  keyNonceAbove?: bigint;
}

/** What a certified message must be: see {@link verifyCertifiedMessage}. */
export interface CertifiedMessageExpectation extends MessageKeyExpectation {
  /** The client key the certified content must carry: the connection's own. */
  clientKey: ClientKey;
  /**
   * The sequence number the content must carry: exactly the next one expected (1 for the OpenMessage). `'any'`
   * only for an observer that starts in the middle of a conversation; a client always knows the next number.
   */
  sequenceNum: bigint | 'any';
}

/** One message of a batch as it arrived: nothing in it is trusted yet. */
export interface CertifiedMessageInput {
  /** The batch's witness (`tree`): decoded once per batch with `BatchWitness.decode`, or its bytes. */
  witness: BatchWitness | Uint8Array;
  /**
   * The canister's `certified_data`, read from the batch's certificate after the caller verified that
   * certificate against the IC root key.
   */
  certifiedData: Uint8Array;
  /** The message's key. */
  key: string;
  /** The message's content: the WebsocketMessage bytes exactly as received. */
  content: Uint8Array;
}

/** A message that passed every check. */
export interface CertifiedMessage {
  /** The decoded content. */
  message: WebsocketMessage;
  /** The nonce of the message's key: the next message's `keyNonceAbove`. */
  keyNonce: bigint;
}

/**
 * Checks a message key alone, before any certificate work, so a gateway replaying old batches costs a client
 * no BLS verification: the key is well-formed, names `gatewayPrincipal`, and its nonce is above
 * `keyNonceAbove`. {@link verifyCertifiedMessage} runs the same check first.
 *
 * @returns the key's nonce.
 * @throws ProtocolError `INVALID_CANISTER_MESSAGE` (a malformed key, the `INVALID_KEY` error as `cause`),
 *   `WRONG_GATEWAY` or `NONCE_NOT_GROWING`.
 */
export function checkMessageKey(key: string, expected: MessageKeyExpectation): bigint {
  let nonce: bigint;
  try {
    nonce = outgoingKeyNonce(key, expected.gatewayPrincipal);
  } catch (error) {
    if (error instanceof ProtocolError && error.code === ErrorCode.WrongGateway) throw error;
    const detail = error instanceof Error ? error.message : String(error);
    throw new ProtocolError(ErrorCode.InvalidCanisterMessage, `invalid message key: ${detail}`, { cause: error });
  }
  if (expected.keyNonceAbove !== undefined && nonce <= expected.keyNonceAbove) {
    throw new ProtocolError(ErrorCode.NonceNotGrowing, `message key nonce ${nonce} is not above ${expected.keyNonceAbove}`);
  }
  return nonce;
}

/**
 * Verifies one canister message against the certified data its batch's certificate proved, in this order:
 * the key ({@link checkMessageKey}); the witness's root hash is `certifiedData`; the witness holds
 * `websocket/<key>` with a leaf equal to sha256 of the content bytes received; the content decodes as a
 * WebsocketMessage; it carries `expected.clientKey`; its sequence number is `expected.sequenceNum`. Nothing is
 * remembered: the caller moves its expectations forward only when this returns.
 *
 * @example
 * ```ts
 * const witness = BatchWitness.decode(batch.tree);
 * const certifiedData = await verifiedCertifiedData(batch.cert); // the caller's BLS check
 * const { message, keyNonce } = verifyCertifiedMessage(
 *   { witness, certifiedData, key: frame.key, content: frame.content },
 *   { gatewayPrincipal, clientKey, keyNonceAbove: lastKeyNonce, sequenceNum: lastSequenceNum + 1n },
 * );
 * ```
 * @throws ProtocolError with the code of the first failed check: `INVALID_CANISTER_MESSAGE`, `WRONG_GATEWAY`,
 *   `NONCE_NOT_GROWING`, `WITNESS_INVALID`, `WRONG_CLIENT_KEY` or `WRONG_SEQUENCE_NUMBER`.
 */
export function verifyCertifiedMessage(input: CertifiedMessageInput, expected: CertifiedMessageExpectation): CertifiedMessage {
  const { key, content } = input;
  const keyNonce = checkMessageKey(key, expected);
  const witness = input.witness instanceof BatchWitness ? input.witness : BatchWitness.decode(input.witness);
  if (!bytesEqual(witness.rootHash, input.certifiedData)) {
    throw new ProtocolError(ErrorCode.WitnessInvalid, 'the witness root hash is not the certified data');
  }
  const leaf = lookupPath(witness.tree, [CERTIFIED_LABEL, key]);
  if (leaf.status !== 'found') {
    throw new ProtocolError(ErrorCode.WitnessInvalid, `the witness does not hold ${CERTIFIED_LABEL}/${key} (${leaf.status})`);
  }
  if (!bytesEqual(leaf.value, certifiedMessageHash(content))) {
    throw new ProtocolError(ErrorCode.WitnessInvalid, `the content of ${key} does not match its certified hash`);
  }
  const message = decodeContent(content);
  const own = expected.clientKey;
  const actual = message.client_key;
  if (actual.client_nonce !== own.client_nonce || actual.client_principal.compareTo(own.client_principal) !== 'eq') {
    throw new ProtocolError(
      ErrorCode.WrongClientKey,
      `message ${key} is for client ${actual.client_principal.toText()}/${actual.client_nonce}, ` +
        `not ${own.client_principal.toText()}/${own.client_nonce}`,
    );
  }
  if (expected.sequenceNum !== 'any' && message.sequence_num !== expected.sequenceNum) {
    throw new ProtocolError(
      ErrorCode.WrongSequenceNumber,
      `expected canister message ${expected.sequenceNum}, got ${message.sequence_num} (key ${key})`,
    );
  }
  return { message, keyNonce };
}

function decodeContent(content: Uint8Array): WebsocketMessage {
  try {
    return decodeWebsocketMessage(content);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new ProtocolError(ErrorCode.InvalidCanisterMessage, `certified content is not a WebsocketMessage: ${detail}`, {
      cause: error,
    });
  }
}
