import type { SignIdentity } from '@dfinity/agent';
import type { Principal } from '@dfinity/principal';
import { encodeClientRequestFrame, ErrorCode, type ClientKey, type ClientMessageId } from 'ic-ws-protocol';
import { IcWsClientError } from '../client-error';
import { signCallEnvelope } from '../envelope/sign-call-envelope';
import { encodeWsOpenArg, type WsMessageArgEncoder } from '../envelope/ws-call-args';

/** Options of {@link MessageSender}. */
export interface MessageSenderOptions {
  identity: SignIdentity;
  canisterId: Principal;
  clientKey: ClientKey;
  argEncoder: WsMessageArgEncoder;
  /** Writes one binary frame to the socket. */
  write: (frame: Uint8Array) => void;
  /** Called once, with the first failure; nothing is sent after it. */
  onError: (error: IcWsClientError) => void;
  /** Milliseconds to add to the local clock for the IC's (ingress expiry). */
  clockOffsetMs?: () => number;
  /** Local clock, ms (message timestamps). @default Date.now */
  now?: () => number;
}

/** Extras of one {@link MessageSender.send}. */
export interface SendOptions {
  /** The message id to send along (ic-ws extension `receipts`), when the canister offers receipts. */
  messageId?: ClientMessageId;
  /** Called once the signed envelope has been written to the socket. */
  onWritten?: () => void;
}

/**
 * Turns client messages into signed `ws_open`/`ws_message` envelopes and writes them in order. Signing is
 * asynchronous (a hardware key may take a while), so sequence numbers are assigned when a message is
 * accepted and the writes are chained: the gateway relays in the order received, and the canister requires
 * exactly the next sequence number.
 */
export class MessageSender {
  private nextSequenceNum = 1n;
  private written = 0n;
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly options: MessageSenderOptions) {}

  /** The sequence number of the last message written to the socket: the most the canister may ack. */
  get sentSequenceNum(): bigint {
    return this.written;
  }

  /** Sends `ws_open` for this client key through the gateway of the handshake. */
  sendOpen(gatewayPrincipal: Principal): void {
    const arg = encodeWsOpenArg({ client_nonce: this.options.clientKey.client_nonce, gateway_principal: gatewayPrincipal });
    this.enqueue('ws_open', () => arg, undefined);
  }

  /**
   * Sends one message (`content` is Candid: the app's type, or a service message) as the next in sequence.
   * @returns its sequence number.
   */
  send(content: Uint8Array, isServiceMessage: boolean, options: SendOptions = {}): bigint {
    const sequenceNum = this.nextSequenceNum++;
    const now = this.options.now ?? Date.now;
    const timestamp = BigInt(now()) * 1_000_000n;
    this.enqueue(
      'ws_message',
      () =>
        this.options.argEncoder.encode(
          {
            client_key: this.options.clientKey,
            sequence_num: sequenceNum,
            timestamp,
            is_service_message: isServiceMessage,
            content,
          },
          options.messageId,
        ),
      sequenceNum,
      options.onWritten,
    );
    return sequenceNum;
  }

  /** Resolves once every message accepted so far is written or dropped. */
  settled(): Promise<void> {
    return this.chain;
  }

  /** Stops sending: messages not yet written are dropped (the session ended). */
  stop(): void {
    this.stopped = true;
  }

  private enqueue(methodName: string, arg: () => Uint8Array, sequenceNum: bigint | undefined, onWritten?: () => void): void {
    this.chain = this.chain.then(async () => {
      if (this.stopped) return;
      let frame: Uint8Array;
      try {
        const envelope = await signCallEnvelope(this.options.identity, {
          canisterId: this.options.canisterId,
          methodName,
          arg: arg(),
          clockOffsetMs: this.options.clockOffsetMs?.() ?? 0,
        });
        frame = encodeClientRequestFrame({ envelope });
      } catch (error) {
        return this.fail(IcWsClientError.from(error, ErrorCode.SigningFailed, `could not sign ${methodName}`));
      }
      if (this.stopped) return;
      try {
        this.options.write(frame);
      } catch (error) {
        return this.fail(IcWsClientError.from(error, ErrorCode.ConnectionLost, `could not write ${methodName}`));
      }
      if (sequenceNum !== undefined) this.written = sequenceNum;
      onWritten?.();
    });
  }

  private fail(error: IcWsClientError): void {
    if (this.stopped) return;
    this.stopped = true;
    this.options.onError(error);
  }
}
