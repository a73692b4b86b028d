import type { Principal } from '@dfinity/principal';
import { formatOutgoingKey, type CanisterOutputCertifiedMessages, type ClientKey } from 'ic-ws-protocol';
import type { CallReply } from '../ic/call-reply';
import type { GatewayIc } from '../ic/gateway-ic';
import { clientKeyId } from '../session/session-state';
import { deferred, type Deferred } from './deferred';

/**
 * A scripted in-memory IC for tests over real sockets: relays and `ws_close` succeed at once and are
 * recorded; each canister has a queue the test fills with `enqueue`, served by `ws_get_messages` from the
 * requested nonce, `maxPerPoll` at a time. Promises let a test wait for a relay or a close without sleeping.
 */
export class ScriptedIc implements GatewayIc {
  readonly relayed: { canisterId: string; envelope: Uint8Array }[] = [];
  /** `ws_close` calls for clients (presence calls aside). */
  readonly closed: { canisterId: string; clientKeyId: string }[] = [];
  /** The canister (text) of every presence call (a `ws_close` naming the gateway itself), in order. */
  readonly presences: string[] = [];
  /** The canister (text) of every `ws_get_messages`, in order. */
  readonly polls: string[] = [];
  readonly #queues = new Map<string, { key: string; client_key: ClientKey; content: Uint8Array }[]>();
  readonly #closeWaiters = new Map<string, Deferred<void>>();
  readonly #relayWaiters: { count: number; done: Deferred<void> }[] = [];

  constructor(
    private readonly gatewayPrincipal: () => Principal,
    private readonly maxPerPoll = 50,
  ) {}

  /** Queues a message for `clientKey` on `canisterId` under the canister's next nonce. */
  enqueue(canisterId: Principal, clientKey: ClientKey, content: Uint8Array): void {
    const queue = this.#queue(canisterId);
    queue.push({ key: formatOutgoingKey(this.gatewayPrincipal(), BigInt(queue.length)), client_key: clientKey, content });
  }

  /** Resolves once `ws_close` was called for `clientKey`. */
  closedFor(clientKey: ClientKey): Promise<void> {
    const id = clientKeyId(clientKey);
    if (this.closed.some((c) => c.clientKeyId === id)) return Promise.resolve();
    let waiter = this.#closeWaiters.get(id);
    if (!waiter) this.#closeWaiters.set(id, (waiter = deferred()));
    return waiter.promise;
  }

  /** Resolves once at least `count` envelopes were relayed in total. */
  relayedAtLeast(count: number): Promise<void> {
    if (this.relayed.length >= count) return Promise.resolve();
    const done = deferred();
    this.#relayWaiters.push({ count, done });
    return done.promise;
  }

  /** The reply every relay gets; set it to make `ws_open` answer `Err`, for example. */
  reply: CallReply = { status: 'unknown' };

  async relayCall(canisterId: Principal, envelope: Uint8Array): Promise<CallReply> {
    this.relayed.push({ canisterId: canisterId.toText(), envelope });
    for (const waiter of this.#relayWaiters) if (this.relayed.length >= waiter.count) waiter.done.resolve();
    return this.reply;
  }

  async getMessages(canisterId: Principal, nonce: bigint): Promise<CanisterOutputCertifiedMessages> {
    this.polls.push(canisterId.toText());
    const queue = this.#queue(canisterId);
    const from = nonce > BigInt(queue.length) ? queue.length : Number(nonce);
    const messages = queue.slice(from, from + this.maxPerPoll);
    return {
      messages,
      cert: Uint8Array.of(1),
      tree: Uint8Array.of(2),
      is_end_of_queue: from + messages.length >= queue.length,
      next_nonce: [BigInt(queue.length)],
    };
  }

  /** Whether `clientKey` is the gateway's own: a presence call rather than a client's close. */
  isPresence(clientKey: ClientKey): boolean {
    return clientKey.client_principal.compareTo(this.gatewayPrincipal()) === 'eq';
  }

  async wsClose(canisterId: Principal, clientKey: ClientKey): Promise<void> {
    if (this.isPresence(clientKey)) {
      this.presences.push(canisterId.toText());
      return;
    }
    const id = clientKeyId(clientKey);
    this.closed.push({ canisterId: canisterId.toText(), clientKeyId: id });
    this.#closeWaiters.get(id)?.resolve();
  }

  async checkStatus(): Promise<void> {}

  #queue(canisterId: Principal) {
    let queue = this.#queues.get(canisterId.toText());
    if (!queue) this.#queues.set(canisterId.toText(), (queue = []));
    return queue;
  }
}
