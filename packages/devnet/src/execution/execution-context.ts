/**
 * The state of one running execution as the System API sees it: what the canister may read (argument,
 * caller, method name, reject info, data certificate) and what it produced (reply, reject, outgoing calls,
 * new certified data, new global timer). Nothing here touches committed canister state: the engine applies
 * the produced effects only when the execution does not trap.
 */
import { CanisterTrap } from './canister-trap';
import type { RejectCode } from './types';

/** The entry points an execution can run. */
export type ExecutionKind =
  | 'init'
  | 'pre_upgrade'
  | 'post_upgrade'
  | 'update'
  | 'query'
  | 'inspect_message'
  | 'global_timer'
  | 'reply_callback'
  | 'reject_callback'
  | 'cleanup';

/** A call built with `ic0.call_new` and friends. */
export interface OutgoingCall {
  callee: Uint8Array;
  methodName: string;
  arg: Uint8Array;
  replyFun: number;
  replyEnv: number;
  rejectFun: number;
  rejectEnv: number;
  cleanup: { fun: number; env: number } | undefined;
}

/** A response produced by `msg_reply` or `msg_reject`. */
export type ProducedResponse =
  | { kind: 'reply'; data: Uint8Array }
  | { kind: 'reject'; message: string };

/** Inputs of an execution. */
export interface ExecutionInput {
  kind: ExecutionKind;
  arg?: Uint8Array;
  caller: Uint8Array;
  methodName?: string;
  /** For reject callbacks. */
  reject?: { code: RejectCode; message: string };
  /** Whether the call context this execution belongs to has already responded. */
  responded?: boolean;
  /** Only for non-replicated queries; called at most once, when the canister asks for the certificate. */
  dataCertificate?: () => Uint8Array;
  /** IC time of the execution, ns. */
  time: bigint;
  /** Instructions the call context this execution belongs to ran before it (`performance_counter(1)`). */
  callContextInstructions?: bigint;
}

/** Largest reply or reject a replicated execution may produce: 2 MiB (`MAX_INTER_CANISTER_PAYLOAD_IN_BYTES`). */
export const MAX_REPLY_BYTES = 2 * 1024 * 1024;
/** Largest reply of a non-replicated query: 3 MiB (`MAX_NON_REPLICATED_QUERY_REPLY_SIZE`). */
export const MAX_QUERY_REPLY_BYTES = 3 * 1024 * 1024;

const EMPTY = new Uint8Array(0);

/** Mutable state of one execution, read and written by the ic0 imports. */
export class ExecutionContext {
  readonly kind: ExecutionKind;
  readonly arg: Uint8Array;
  readonly caller: Uint8Array;
  readonly methodName: string;
  readonly reject: { code: RejectCode; message: string } | undefined;
  private readonly certificateSource: (() => Uint8Array) | undefined;
  private certificate: Uint8Array | undefined;
  readonly time: bigint;
  readonly callContextInstructions: bigint;
  /** Largest reply or reject this execution may produce, bytes. */
  readonly maxReplySize: number;
  private readonly respondedBefore: boolean;
  private replySize = 0;

  private replyChunks: Uint8Array[] = [];
  response: ProducedResponse | undefined;
  accepted = false;
  pendingCall: OutgoingCall | undefined;
  readonly outgoing: OutgoingCall[] = [];
  certifiedData: Uint8Array | undefined;
  globalTimer: bigint | undefined;

  constructor(input: ExecutionInput) {
    this.kind = input.kind;
    this.arg = input.arg ?? EMPTY;
    this.caller = input.caller;
    this.methodName = input.methodName ?? '';
    this.reject = input.reject;
    this.certificateSource = input.dataCertificate;
    this.time = input.time;
    this.callContextInstructions = input.callContextInstructions ?? 0n;
    this.maxReplySize = input.kind === 'query' ? MAX_QUERY_REPLY_BYTES : MAX_REPLY_BYTES;
    this.respondedBefore = input.responded ?? false;
  }

  /** Whether a data certificate is available (non-replicated queries). */
  get hasDataCertificate(): boolean {
    return this.certificateSource !== undefined;
  }

  /** The data certificate, produced on first use; undefined outside queries. */
  get dataCertificate(): Uint8Array | undefined {
    if (this.certificate === undefined && this.certificateSource !== undefined) this.certificate = this.certificateSource();
    return this.certificate;
  }

  /** Whether the canister runs replicated (updates, timers, callbacks, install) or not (queries, inspect). */
  get replicated(): boolean {
    return this.kind !== 'query' && this.kind !== 'inspect_message';
  }

  /** Whether this execution may respond to its call context. */
  get canRespond(): boolean {
    const kinds: readonly ExecutionKind[] = ['update', 'query', 'reply_callback', 'reject_callback'];
    return kinds.includes(this.kind) && !this.respondedBefore && this.response === undefined;
  }

  /** Whether this execution may make inter-canister calls. */
  get canCall(): boolean {
    const kinds: readonly ExecutionKind[] = ['update', 'global_timer', 'reply_callback', 'reject_callback'];
    return kinds.includes(this.kind);
  }

  /** Whether `msg_arg_data_*` is available. */
  get hasArg(): boolean {
    return this.kind !== 'reject_callback' && this.kind !== 'cleanup' && this.kind !== 'global_timer' && this.kind !== 'pre_upgrade';
  }

  /**
   * Traps, worded as the replica's `ic0.msg_reply_data_append` and `ic0.msg_reject`, when `size` more bytes
   * (all of a reject, or appended to the reply so far) exceed `maxReplySize`.
   */
  checkReplySize(api: 'msg_reply_data_append' | 'msg_reject', size: number): void {
    this.requireRespond(api);
    const total = api === 'msg_reject' ? size : this.replySize + size;
    if (total > this.maxReplySize) {
      throw new CanisterTrap(
        'user-contract-violation',
        `ic0.${api}: application payload size (${total}) cannot be larger than ${this.maxReplySize}.`,
      );
    }
  }

  appendReply(data: Uint8Array): void {
    this.requireRespond('msg_reply_data_append');
    this.replyChunks.push(data.slice());
    this.replySize += data.length;
  }

  reply(): void {
    this.requireRespond('msg_reply');
    const length = this.replyChunks.reduce((sum, chunk) => sum + chunk.length, 0);
    const data = new Uint8Array(length);
    let offset = 0;
    for (const chunk of this.replyChunks) {
      data.set(chunk, offset);
      offset += chunk.length;
    }
    this.response = { kind: 'reply', data };
  }

  rejectCall(message: string): void {
    this.requireRespond('msg_reject');
    this.response = { kind: 'reject', message };
  }

  private requireRespond(api: string): void {
    if (!this.canRespond) {
      throw new CanisterTrap('contract-violation', `${api} cannot be called: no call to respond to in ${this.kind}`);
    }
  }
}
