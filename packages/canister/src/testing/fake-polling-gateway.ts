import { IDL } from '@dfinity/candid';
import type { Principal } from '@dfinity/principal';
import { CanisterWsGetMessagesResultIdl, type CanisterOutputCertifiedMessages, type CanisterWsCloseResult } from 'ic-ws-protocol';
import type { IcWebSocketCanister } from '../ws-canister';
import type { FakeCanisterHost } from './fake-canister-host';
import { PolledBatchVerifier, VerificationFailure, type VerifiedMessage } from './polled-batch-verifier';

export { VerificationFailure, type VerifiedMessage };

/** What the fake polls: an `IcWebSocketCanister` of any app message type. */
export type PolledCanister = Pick<IcWebSocketCanister<unknown>, 'wsGetMessages' | 'wsClose'>;

/**
 * A recording fake of a gateway's poller, in process (no sockets, no WebSocket side): polls
 * `ws_get_messages` of an `IcWebSocketCanister` like the real gateway (next nonce, again while not at the
 * end of the queue) and checks every batch as its clients would (protocol.md sections 5.4 and 7,
 * through {@link PolledBatchVerifier}): the fake certificate is that of the host's last certified data, and
 * every message passes ic-ws-protocol's `verifyCertifiedMessage` with contiguous keys of this gateway and
 * sequence numbers 1, 2, ... per client without gaps. Any failure throws {@link VerificationFailure}.
 *
 * Unlike ic-ws-gateway, it polls whether or not it has sessions; a test that lets the canister forget the
 * gateway (no client of it for an ack interval: its nonces start over at 0) calls {@link position} before the
 * next `ws_open`, as ic-ws-gateway positions a canister's poller when its first session opens.
 */
export class FakePollingGateway {
  /** The nonce of the next poll. */
  nextNonce = 0n;
  /** Candid size of every reply received, in order. */
  readonly replyBytes: number[] = [];
  /** Every batch received, in order. */
  readonly batches: CanisterOutputCertifiedMessages[] = [];
  private readonly verifier: PolledBatchVerifier;

  constructor(
    readonly principal: Principal,
    private canister: PolledCanister,
    private host: FakeCanisterHost,
    appMessageIdl: IDL.Type = IDL.Null,
    /**
     * Off only for tests that let messages be pruned before polling: each client's first message in view may
     * then have any sequence number (a real client would see the gap); the later ones must still follow it.
     */
    checkSequences = true,
  ) {
    this.verifier = new PolledBatchVerifier({ gateway: principal, appMessageIdl, sequenceStart: checkSequences ? 'one' : 'first-seen' });
  }

  /** One `ws_get_messages` from {@link nextNonce}; returns the verified messages. */
  poll(): { messages: VerifiedMessage[]; isEndOfQueue: boolean } {
    const result = this.host.query(() => this.canister.wsGetMessages({ nonce: this.nextNonce }, this.principal));
    this.replyBytes.push(IDL.encode([CanisterWsGetMessagesResultIdl], [result]).length);
    if ('Err' in result) throw new VerificationFailure(`ws_get_messages returned Err: ${result.Err}`);
    const batch = result.Ok;
    this.batches.push(batch);
    if (this.verifier.isEmpty(batch)) return { messages: [], isEndOfQueue: true };
    return { messages: this.verify(batch), isEndOfQueue: batch.is_end_of_queue };
  }

  /**
   * The presence call ic-ws-gateway makes before its first `ws_open` to a canister: a `ws_close` naming this
   * gateway itself, after which the canister counts it as a proven gateway (docs/protocol.md section 8) and
   * its clients get no early ack. Returns the canister's answer.
   */
  prove(): CanisterWsCloseResult {
    return this.canister.wsClose({ client_key: { client_principal: this.principal, client_nonce: 0n } }, this.principal);
  }

  /**
   * Moves to the live end of the gateway's queue, as ic-ws-gateway does when the first session of a canister
   * opens (protocol.md section 8): a poll that is always empty (nonce 2^63), then on from its `next_nonce`.
   * Messages queued before are never read (they are for clients closed before).
   */
  position(): void {
    const result = this.host.query(() => this.canister.wsGetMessages({ nonce: 1n << 63n }, this.principal));
    if ('Err' in result) throw new VerificationFailure(`ws_get_messages returned Err: ${result.Err}`);
    this.nextNonce = result.Ok.next_nonce[0] ?? this.nextNonce;
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
  attach(canister: PolledCanister, host: FakeCanisterHost): void {
    this.canister = canister;
    this.host = host;
  }

  /** Forgets the sequence numbers seen (a new client session after a reconnect, or a restarted gateway). */
  resetSequences(): void {
    this.verifier.reset();
  }

  private verify(batch: CanisterOutputCertifiedMessages): VerifiedMessage[] {
    const certified = this.host.certifiedData;
    if (!certified) throw new VerificationFailure('messages served before any certified data was set');
    // The host's stand-in certificate of its last certified data takes the place of a BLS-signed one.
    const expectedCert = this.host.query(() => this.host.dataCertificate()) as Uint8Array;
    if (!equal(batch.cert, expectedCert)) throw new VerificationFailure('cert is not the certificate of the certified data');
    const messages = this.verifier.verify(batch, certified, this.nextNonce);
    this.nextNonce = (messages.at(-1) as VerifiedMessage).nonce + 1n;
    return messages;
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
