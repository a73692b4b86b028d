/**
 * The IC side of the gateway benchmark: a stub {@link GatewayIc} that answers every relayed `ws_open` with an
 * OpenMessage for its client and serves one queue per gateway as real `ws_get_messages` reply bytes (Candid,
 * as a canister encodes them, `MESSAGES_PER_POLL` per reply, a 1.3 kB certificate and a 220 B witness), which
 * go through the gateway's own reply decoder. A burst's replies are encoded when it is prepared, before the
 * clock starts, so serving them costs the stub nothing: what the server process spends during a burst is the
 * gateway's work. With `longPoll`, a poll of an empty queue waits for the next message, so latency figures
 * exclude the polling interval.
 */
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import {
  CanisterWsGetMessagesResultIdl,
  CanisterWsOpenArgumentsIdl,
  ErrorCode,
  cborDecode,
  encodeServiceMessageContent,
  encodeWebsocketMessage,
  expectBytes,
  expectMap,
  expectText,
  formatOutgoingKey,
  type CanisterOutputCertifiedMessages,
  type CanisterOutputMessage,
  type ClientKey,
} from 'ic-ws-protocol';
import type { CallReply } from '../src/ic/call-reply';
import type { GatewayIc } from '../src/ic/gateway-ic';
import { decodeGetMessagesReply } from '../src/ic/get-messages-query';
import { GatewayError } from '../src/gateway-error';
import { testPrincipal } from '../src/testing/client-frames';

/** Messages in one `ws_get_messages` reply: the canister library's default, as deployed. */
export const MESSAGES_PER_POLL = 50;
/** Sizes of a devnet certificate and one-message witness, roughly: every frame carries both. */
export const BENCH_CERT_BYTES = 1_300;
export const BENCH_TREE_BYTES = 220;

/** Deterministic filler bytes. */
export function filler(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff);
}

/** The CBOR `WebsocketMessage` a canister queues: `payload` as content, `timestamp` carried through. */
export function benchMessageContent(clientKey: ClientKey, sequenceNum: bigint, timestamp: bigint, payload: Uint8Array, isService = false): Uint8Array {
  return encodeWebsocketMessage({ client_key: clientKey, sequence_num: sequenceNum, timestamp, is_service_message: isService, content: payload });
}

/** The Candid bytes of a `ws_get_messages` reply carrying `messages`, as a canister answers. */
export function encodeReply(messages: CanisterOutputMessage[], cert: Uint8Array, tree: Uint8Array, isEndOfQueue: boolean, nextNonce: bigint): Uint8Array {
  const batch: CanisterOutputCertifiedMessages = { messages, cert, tree, is_end_of_queue: isEndOfQueue, next_nonce: [nextNonce] };
  return new Uint8Array(IDL.encode([CanisterWsGetMessagesResultIdl], [{ Ok: batch }]));
}

const principals = new Map<number, Principal>();

/**
 * The client key of bench client `index`: bench-clients.ts opens with exactly these keys, so the stub IC
 * addresses clients by index without keeping anything per client (its memory would count as the gateway's).
 */
export function benchClientKey(index: number): ClientKey {
  let principal = principals.get(index % 256);
  if (principal === undefined) principals.set(index % 256, (principal = testPrincipal(index % 256)));
  return { client_principal: principal, client_nonce: BigInt(index) };
}

/** The stub IC of the benchmark (see the file comment). */
export class BenchIc implements GatewayIc {
  readonly cert = filler(BENCH_CERT_BYTES, 1);
  readonly tree = filler(BENCH_TREE_BYTES, 2);
  /** Clients whose `ws_open` arrived. */
  clientCount = 0;
  /** Served messages are dropped (set to undefined): the poller never asks for them again. */
  readonly #queue: (CanisterOutputMessage | undefined)[] = [];
  /** Reply bytes encoded ahead, by the nonce they start at (see `encodeAhead`). */
  readonly #replies = new Map<number, Uint8Array>();
  /** Last sequence number per client index. */
  readonly #sequence: number[] = [];
  #waiters: (() => void)[] = [];
  /** Messages at and past this index are not served yet (see `hold`). */
  #visible = Number.POSITIVE_INFINITY;

  constructor(
    private readonly gatewayPrincipal: () => Principal,
    private readonly options: { longPoll: boolean },
  ) {}

  set longPoll(on: boolean) {
    this.options.longPoll = on;
  }

  /** Stops serving messages pushed from now on, so a burst can be queued and encoded before it is timed. */
  hold(): void {
    this.#visible = this.#queue.length;
  }

  /**
   * Encodes the replies of everything queued after `hold`, `MESSAGES_PER_POLL` per reply, as the poller will
   * ask for them (each poll starts where the last one ended).
   */
  encodeAhead(): void {
    for (let from = this.#visible; from < this.#queue.length; from += MESSAGES_PER_POLL) {
      const end = Math.min(this.#queue.length, from + MESSAGES_PER_POLL);
      this.#replies.set(from, this.#encodeFrom(from, end, end >= this.#queue.length));
    }
  }

  /** Serves everything queued. */
  release(): void {
    this.#visible = Number.POSITIVE_INFINITY;
    this.#wake();
  }

  /** Queues a message for `clientKey` (the next sequence number of that client). */
  push(clientKey: ClientKey, timestamp: bigint, payload: Uint8Array, isService = false): void {
    const index = Number(clientKey.client_nonce);
    const sequenceNum = (this.#sequence[index] ?? 0) + 1;
    this.#sequence[index] = sequenceNum;
    this.#queue.push({
      client_key: clientKey,
      key: formatOutgoingKey(this.gatewayPrincipal(), BigInt(this.#queue.length)),
      content: benchMessageContent(clientKey, BigInt(sequenceNum), timestamp, payload, isService),
    });
    this.#wake();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  async relayCall(_canisterId: Principal, envelope: Uint8Array): Promise<CallReply> {
    const content = expectMap(expectMap(cborDecode(envelope), 'envelope').get('content'), 'content');
    if (expectText(content.get('method_name'), 'method_name') === 'ws_open') {
      const sender = Principal.fromUint8Array(expectBytes(content.get('sender'), 'sender'));
      const [args] = IDL.decode([CanisterWsOpenArgumentsIdl], expectBytes(content.get('arg'), 'arg')) as unknown as [{ client_nonce: bigint }];
      const clientKey: ClientKey = { client_principal: sender, client_nonce: args.client_nonce };
      this.clientCount += 1;
      const open = encodeServiceMessageContent({ OpenMessage: { client_key: clientKey } });
      this.push(clientKey, 0n, open, true);
    }
    return { status: 'unknown' };
  }

  async getMessages(_canisterId: Principal, nonce: bigint): Promise<CanisterOutputCertifiedMessages> {
    const served = () => Math.min(this.#queue.length, this.#visible);
    // A gateway asks past the end (2^63) where the live end of the queue is: nothing there, and where it is.
    if (nonce >= BigInt(Number.MAX_SAFE_INTEGER)) return this.#decode(encodeReply([], this.cert, this.tree, true, BigInt(served())));
    const from = Number(nonce);
    while (from >= served() && this.options.longPoll) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    const end = Math.min(served(), from + MESSAGES_PER_POLL);
    // Replies encoded ahead are served once released (a poll before that finds the queue as it was).
    let reply = end > from ? this.#replies.get(from) : undefined;
    this.#replies.delete(from);
    reply ??= this.#encodeFrom(from, end, end >= served());
    for (let i = Math.max(0, from - MESSAGES_PER_POLL); i < from; i++) this.#queue[i] = undefined;
    return this.#decode(reply);
  }

  /** What the production IC layer does with the reply bytes (createGetMessagesQuery, then getMessages). */
  #decode(reply: Uint8Array): CanisterOutputCertifiedMessages {
    const result = decodeGetMessagesReply(reply);
    if ('Err' in result) throw new GatewayError(ErrorCode.PollFailed, `ws_get_messages returned Err: ${result.Err}`);
    return result.Ok;
  }

  #encodeFrom(from: number, end: number, drained: boolean): Uint8Array {
    const messages: CanisterOutputMessage[] = [];
    for (let i = from; i < end; i++) {
      const message = this.#queue[i];
      if (message !== undefined) messages.push(message);
    }
    // A long-polling stub always says "more": the poller then polls again at once and waits here, instead
    // of sleeping its polling interval (which the latency figure must not include).
    const liveEnd = BigInt(Math.min(this.#queue.length, this.#visible));
    return encodeReply(messages, this.cert, this.tree, drained && !this.options.longPoll, liveEnd);
  }

  async wsClose(): Promise<void> {}

  async checkStatus(): Promise<void> {}
}
