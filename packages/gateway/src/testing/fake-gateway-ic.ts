import type { Principal } from '@dfinity/principal';
import { ErrorCode, type CanisterOutputCertifiedMessages, type ClientKey } from 'ic-ws-protocol';
import { GatewayError } from '../gateway-error';
import type { CallReply } from '../ic/call-reply';
import type { GatewayIc } from '../ic/gateway-ic';
import { deferred, type Deferred } from './deferred';

/** One call the fake IC received and has not answered yet. */
export interface PendingCall<T> {
  canisterId: Principal;
  answer: Deferred<T>;
}

/**
 * A recording fake of {@link GatewayIc}. Every call waits until the test answers it (`relays[i].answer`),
 * unless `autoAnswer` is on, in which case relays and ws_close succeed at once and polls return an empty,
 * drained queue. Tests see every call in arrival order.
 */
export class FakeGatewayIc implements GatewayIc {
  /** Relays; `answer.resolve()` with no value means "accepted, reply unknown". */
  readonly relays: (PendingCall<CallReply | void> & { envelope: Uint8Array; readReply: boolean })[] = [];
  readonly polls: (PendingCall<CanisterOutputCertifiedMessages> & { nonce: bigint })[] = [];
  readonly closes: (PendingCall<void> & { clientKey: ClientKey })[] = [];
  statusOk = true;

  constructor(public autoAnswer = false) {}

  relayCall(canisterId: Principal, envelope: Uint8Array, options: { readReply?: boolean } = {}): Promise<CallReply> {
    const answer = deferred<CallReply | void>();
    this.relays.push({ canisterId, envelope, answer, readReply: options.readReply ?? false });
    if (this.autoAnswer) answer.resolve();
    return answer.promise.then((reply) => reply ?? { status: 'unknown' });
  }

  getMessages(canisterId: Principal, nonce: bigint): Promise<CanisterOutputCertifiedMessages> {
    const answer = deferred<CanisterOutputCertifiedMessages>();
    this.polls.push({ canisterId, nonce, answer });
    if (this.autoAnswer) answer.resolve(emptyBatch());
    return answer.promise;
  }

  wsClose(canisterId: Principal, clientKey: ClientKey): Promise<void> {
    const answer = deferred<void>();
    this.closes.push({ canisterId, clientKey, answer });
    if (this.autoAnswer) answer.resolve();
    return answer.promise;
  }

  checkStatus(): Promise<void> {
    return this.statusOk ? Promise.resolve() : Promise.reject(new GatewayError(ErrorCode.PollFailed, 'fake IC is down'));
  }
}

/** A drained, empty `ws_get_messages` reply. */
export function emptyBatch(): CanisterOutputCertifiedMessages {
  return { messages: [], cert: new Uint8Array(), tree: new Uint8Array(), is_end_of_queue: true, next_nonce: [] };
}
