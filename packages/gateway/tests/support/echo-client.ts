import { createHash } from 'node:crypto';
import { Certificate, lookupResultToBuffer } from '@dfinity/agent';
import { IDL } from '@dfinity/candid';
import type { Principal } from '@dfinity/principal';
import {
  CanisterWsMessageArgumentsIdl,
  CanisterWsOpenArgumentsIdl,
  ErrorCode,
  ProtocolError,
  decodeCanisterMessageFrame,
  decodeHandshakeFrame,
  decodeServiceMessageContent,
  encodeServiceMessageContent,
  verifyCertifiedMessage,
  type ClientKey,
  type WebsocketMessage,
} from 'ic-ws-protocol';
import { NodeEd25519Identity } from '../../src/ic/node-ed25519-identity';
import { signedRequestFrame } from '../../src/testing/signed-request-frame';
import { TestClient } from '../../src/testing/test-client';

/** Where an {@link EchoClient} connects and what it trusts. */
export interface EchoTarget {
  gatewayUrl: string;
  /** The gateway the client expects in the handshake and names in its `ws_open`. */
  gatewayPrincipal: Principal;
  canisterId: Principal;
  /** The IC root key certificates must chain to (the devnet's). */
  rootKey: Uint8Array;
}

/**
 * `certified_data` of each certificate already verified, by canister and certificate bytes. A poll batch
 * shares one certificate between all its messages, so its BLS signature (~25 ms) is checked once; the
 * witness and the message hash are still checked for every message.
 */
const verifiedCertificates = new Map<string, Promise<Uint8Array | undefined>>();

function certifiedDataOf(certificate: Uint8Array, canisterId: Principal, rootKey: Uint8Array): Promise<Uint8Array | undefined> {
  const cacheKey = `${canisterId.toText()}:${createHash('sha256').update(certificate).digest('hex')}`;
  let certified = verifiedCertificates.get(cacheKey);
  if (certified === undefined) {
    certified = Certificate.create({ certificate, rootKey, canisterId }).then((verified) =>
      lookupResultToBuffer(verified.lookup_path(['canister', canisterId.toUint8Array(), 'certified_data'])),
    );
    verifiedCertificates.set(cacheKey, certified);
  }
  return certified;
}

let nextNonce = BigInt(Date.now()) * 1000n;

/**
 * A protocol-level client of the ws-echo canister through a gateway, for integration tests: signs its
 * `ws_open`/`ws_message` envelopes with a fresh Ed25519 identity (@dfinity/agent's request id and domain
 * separator) and verifies every canister message like a real client: the IC certificate against the root
 * key, then ic-ws-protocol's `verifyCertifiedMessage` (witness against `certified_data`, message hash in the
 * witness, key of the handshake's gateway with a growing nonce, client key its own, sequence numbers 1, 2, ...
 * without a gap).
 */
export class EchoClient {
  readonly identity = NodeEd25519Identity.generate();
  readonly key: ClientKey = { client_principal: this.identity.getPrincipal(), client_nonce: nextNonce++ };
  #sent = 0n;
  #lastKeyNonce: bigint | undefined;
  #received = 0n;
  readonly #acks: bigint[] = [];

  private constructor(
    readonly socket: TestClient,
    readonly target: EchoTarget,
  ) {}

  /** Connects, checks the handshake, relays a signed `ws_open` and resolves with the first canister message. */
  static async open(target: EchoTarget): Promise<{ client: EchoClient; first: WebsocketMessage }> {
    const socket = await TestClient.connect(target.gatewayUrl);
    // A gateway that refuses the session (overloaded: 1013) closes before any handshake.
    const refused = socket.closed.then(({ code, reason }) => {
      throw new ProtocolError(ErrorCode.ConnectionLost, `the gateway closed the connection (${code}: ${reason}) before the handshake`);
    });
    refused.catch(() => {});
    const handshake = decodeHandshakeFrame(await Promise.race([socket.nextFrame(), refused]));
    if (handshake.gateway_principal.toText() !== target.gatewayPrincipal.toText()) {
      throw new ProtocolError(ErrorCode.HandshakeInvalid, `handshake names gateway ${handshake.gateway_principal.toText()}`);
    }
    const client = new EchoClient(socket, target);
    const arg = new Uint8Array(
      IDL.encode([CanisterWsOpenArgumentsIdl], [{ client_nonce: client.key.client_nonce, gateway_principal: target.gatewayPrincipal }]),
    );
    socket.send(await signedRequestFrame(client.identity, { canisterId: target.canisterId, methodName: 'ws_open', arg }));
    return { client, first: await client.receive() };
  }

  /**
   * The next canister message other than an AckMessage, verified. An AckMessage is answered with a keep-alive,
   * as a real client does (the canister acks a client of a gateway it has not seen prove itself right after the
   * OpenMessage, and every client once per ack interval). Rejects with a `ProtocolError` when any check fails,
   * or with `CONNECTION_LOST` (and the close code) when the gateway closes the connection first.
   */
  async receive(): Promise<WebsocketMessage> {
    for (;;) {
      const message = await this.#receiveAny();
      if (!message.is_service_message || !('AckMessage' in decodeServiceMessageContent(message.content))) return message;
      this.#acks.push(message.sequence_num);
      await this.#sendMessage(true, encodeServiceMessageContent({ KeepAliveMessage: { last_incoming_sequence_num: this.#received } }));
    }
  }

  /**
   * The sequence numbers of the messages {@link receive} returned so far, in order: 1, 2, ... without a gap
   * but for the AckMessages it answered and skipped (each message verified was checked to be the previous
   * one + 1). Which messages get an ack depends on timing (an early ack when the gateway's presence call is
   * slow, one per ack interval): tests compare the numbers of what they received against this, not against
   * fixed values.
   */
  get returnedSequenceNums(): bigint[] {
    const all = Array.from({ length: Number(this.#received) }, (_, k) => BigInt(k + 1));
    return all.filter((n) => !this.#acks.includes(n));
  }

  async #receiveAny(): Promise<WebsocketMessage> {
    const { canisterId, rootKey, gatewayPrincipal } = this.target;
    const lost = this.socket.closed.then(({ code, reason }) => {
      throw new ProtocolError(ErrorCode.ConnectionLost, `the gateway closed the connection (${code} ${reason}) before the next message`);
    });
    const frame = decodeCanisterMessageFrame(await Promise.race([this.socket.nextFrame(), lost]));
    const certifiedData = await certifiedDataOf(frame.cert, canisterId, rootKey);
    if (certifiedData === undefined) throw new ProtocolError(ErrorCode.CertificateInvalid, 'the certificate has no certified_data for the canister');
    const { message, keyNonce } = verifyCertifiedMessage(
      { witness: frame.tree, certifiedData, key: frame.key, content: frame.content },
      { gatewayPrincipal, clientKey: this.key, keyNonceAbove: this.#lastKeyNonce, sequenceNum: this.#received + 1n },
    );
    this.#lastKeyNonce = keyNonce;
    this.#received += 1n;
    return message;
  }

  /** Sends `text` to the canister in a signed `ws_message` (sequence numbers from 1). */
  async send(text: string): Promise<void> {
    await this.sendContent(new Uint8Array(IDL.encode([IDL.Text], [text])));
  }

  /**
   * Sends `content` as the app message bytes of a signed `ws_message`, as they are (bytes that are not
   * Candid text make the echo canister answer `Err` without closing the client: a way to send big
   * envelopes that cost the canister nothing to answer).
   */
  async sendContent(content: Uint8Array): Promise<void> {
    await this.#sendMessage(false, content);
  }

  async #sendMessage(isServiceMessage: boolean, content: Uint8Array): Promise<void> {
    this.#sent += 1n;
    const msg: WebsocketMessage = {
      client_key: this.key,
      sequence_num: this.#sent,
      timestamp: BigInt(Date.now()) * 1_000_000n,
      is_service_message: isServiceMessage,
      content,
    };
    const arg = new Uint8Array(IDL.encode([CanisterWsMessageArgumentsIdl, IDL.Opt(IDL.Text)], [{ msg, message_id: [] }, []]));
    this.socket.send(await signedRequestFrame(this.identity, { canisterId: this.target.canisterId, methodName: 'ws_message', arg }));
  }

  /** Closes the WebSocket (the gateway then calls `ws_close`) and resolves with the close the client saw. */
  close(): Promise<{ code: number; reason: string }> {
    this.socket.ws.close();
    return this.socket.closed;
  }
}

/** The text of an application message of the echo canister. */
export function echoText(message: WebsocketMessage): string {
  return IDL.decode([IDL.Text], message.content)[0] as string;
}
