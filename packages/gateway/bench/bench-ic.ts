/**
 * The IC side of the gateway benchmark, kept out of the measurement: a stub {@link GatewayIc} that answers
 * every relayed `ws_open` with an OpenMessage for its client and serves one in-memory queue per gateway as
 * recorded `ws_get_messages` replies (fixed certificate and witness bytes of realistic size). With
 * `longPoll`, a poll of an empty queue waits for the next message, so latency figures exclude the
 * polling interval and measure the gateway's own path: reply in, frame out.
 */
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import {
  CanisterWsOpenArgumentsIdl,
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
import { testPrincipal } from '../src/testing/client-frames';

/** Sizes of a certificate and a one-message witness from the devnet, roughly: the gateway copies both into every frame. */
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
  /** Last sequence number per client index. */
  readonly #sequence: number[] = [];
  #waiters: (() => void)[] = [];
  /** Messages at and past this index are not served yet (see `hold`). */
  #visible = Number.POSITIVE_INFINITY;

  constructor(
    private readonly gatewayPrincipal: () => Principal,
    private readonly options: { maxPerPoll: number; longPoll: boolean },
  ) {}

  set longPoll(on: boolean) {
    this.options.longPoll = on;
  }

  /** Stops serving messages pushed from now on, so a burst can be queued before it is timed. */
  hold(): void {
    this.#visible = this.#queue.length;
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
    const from = Number(nonce);
    const served = () => Math.min(this.#queue.length, this.#visible);
    while (from >= served() && this.options.longPoll) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    const end = Math.min(served(), from + this.options.maxPerPoll);
    const messages: CanisterOutputMessage[] = [];
    for (let i = from; i < end; i++) {
      const message = this.#queue[i];
      if (message !== undefined) messages.push(message);
    }
    for (let i = Math.max(0, from - this.options.maxPerPoll); i < from; i++) this.#queue[i] = undefined;
    // A long-polling stub always says "more": the poller then polls again at once and waits here, instead
    // of sleeping its polling interval (which the latency figure must not include).
    const drained = end >= served();
    return { messages, cert: this.cert, tree: this.tree, is_end_of_queue: drained && !this.options.longPoll };
  }

  async wsClose(): Promise<void> {}

  async checkStatus(): Promise<void> {}
}
