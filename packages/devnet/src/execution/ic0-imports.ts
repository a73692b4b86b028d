/**
 * The 44 `ic0` System API functions Azle's template imports, implemented over an `Ic0Host`. Each call reads
 * the memory afresh: a `memory.grow` inside the canister detaches earlier views. Each call first charges the
 * replica's System API cost (see `system-api-costs.ts`) to the instruction meter, as the replica's linker does.
 */
import { CanisterTrap } from './canister-trap';
import type { ExecutionContext } from './execution-context';
import type { InstructionMeter } from './instruction-meter';
import type { SparseStableMemory } from './sparse-stable-memory';
import { BYTE_TRANSMISSION_COST_FACTOR, DIRTY_PAGE_OVERHEAD, SYSTEM_API_OVERHEAD as COST, type SystemApiName } from './system-api-costs';

/** What the ic0 functions need from the canister they run in. */
export interface Ic0Host {
  memory(): WebAssembly.Memory;
  /** The running execution; traps when called outside one. */
  context(): ExecutionContext;
  readonly selfId: Uint8Array;
  readonly stable: SparseStableMemory;
  version(): bigint;
  isController(principal: Uint8Array): boolean;
  /** The committed global timer, for `global_timer_set`'s return value when the execution has not set one. */
  committedGlobalTimer(): bigint;
  debugPrint(message: string): void;
  /** Told of every heap range the host writes for the canister, so dirty page tracking sees it. */
  heapWritten(start: number, length: number): void;
  /** The instance's instruction meter. */
  readonly meter: InstructionMeter;
}

/** Cycle balance reported to canisters: the devnet does not meter cycles. */
export const CYCLE_BALANCE = 100_000_000_000_000n;
const MAX_CERTIFIED_DATA = 32;
const decoder = new TextDecoder();

function trap(detail: string): never {
  throw new CanisterTrap('contract-violation', detail);
}

/** Creates the `ic0` import object for one canister instance. */
export function createIc0Imports(host: Ic0Host): Record<string, (...args: never[]) => unknown> {
  const { meter } = host;
  /** Charges `name`'s overhead plus `bytes` instructions (`ic0.*` byte charges are 1 per byte unless scaled). */
  const charge = (name: SystemApiName, bytes = 0): void => meter.charge(COST[name] + bytes);
  const bytes = (): Uint8Array => new Uint8Array(host.memory().buffer);
  const read = (src: number, size: number): Uint8Array => {
    const heap = bytes();
    if (src < 0 || size < 0 || src + size > heap.length) trap('heap read out of bounds');
    return heap.slice(src, src + size);
  };
  const view = (dst: number, size: number): Uint8Array => {
    const heap = bytes();
    if (dst < 0 || size < 0 || dst + size > heap.length) trap('heap write out of bounds');
    host.heapWritten(dst, size);
    return heap.subarray(dst, dst + size);
  };
  /** The `*_copy(dst, offset, size)` pattern: copies a slice of `source` into the heap. */
  const copy = (source: Uint8Array, dst: number, offset: number, size: number, api: string): void => {
    if (offset < 0 || size < 0 || offset + size > source.length) trap(`${api}: source out of bounds`);
    view(dst, size).set(source.subarray(offset, offset + size));
  };
  const write128 = (dst: number, value: bigint): void => {
    const target = new DataView(host.memory().buffer, 0);
    if (dst < 0 || dst + 16 > target.byteLength) trap('heap write out of bounds');
    host.heapWritten(dst, 16);
    target.setBigUint64(dst, value & 0xffff_ffff_ffff_ffffn, true);
    target.setBigUint64(dst + 8, value >> 64n, true);
  };
  const ctx = (): ExecutionContext => host.context();
  const methodName = (): Uint8Array => new TextEncoder().encode(ctx().methodName);
  const argData = (): Uint8Array => {
    const context = ctx();
    if (!context.hasArg) trap(`msg_arg_data is not available in ${context.kind}`);
    return context.arg;
  };
  const rejectInfo = (): { code: number; message: string } => {
    const reject = ctx().reject;
    if (reject === undefined) trap('msg_reject_code/msg_reject_msg are only available in reject callbacks');
    return reject;
  };
  const pending = () => {
    const call = ctx().pendingCall;
    if (call === undefined) trap('no call under construction (call_new first)');
    return call;
  };

  return {
    // --- message
    msg_arg_data_size: () => {
      charge('msg_arg_data_size');
      return argData().length;
    },
    msg_arg_data_copy: (dst: number, offset: number, size: number) => {
      charge('msg_arg_data_copy', size);
      copy(argData(), dst, offset, size, 'msg_arg_data_copy');
    },
    msg_caller_size: () => {
      charge('msg_caller_size');
      return ctx().caller.length;
    },
    msg_caller_copy: (dst: number, offset: number, size: number) => {
      charge('msg_caller_copy', size);
      copy(ctx().caller, dst, offset, size, 'msg_caller_copy');
    },
    msg_method_name_size: () => {
      charge('msg_method_name_size');
      return methodName().length;
    },
    msg_method_name_copy: (dst: number, offset: number, size: number) => {
      charge('msg_method_name_copy', size);
      copy(methodName(), dst, offset, size, 'msg_method_name_copy');
    },
    msg_reject_code: () => {
      charge('msg_reject_code');
      return ctx().reject?.code ?? 0;
    },
    msg_reject_msg_size: () => {
      charge('msg_reject_msg_size');
      return new TextEncoder().encode(rejectInfo().message).length;
    },
    msg_reject_msg_copy: (dst: number, offset: number, size: number) => {
      charge('msg_reject_msg_copy', size);
      copy(new TextEncoder().encode(rejectInfo().message), dst, offset, size, 'msg_reject_msg_copy');
    },
    accept_message: () => {
      charge('accept_message');
      const context = ctx();
      if (context.kind !== 'inspect_message') trap('accept_message is only allowed in canister_inspect_message');
      if (context.accepted) trap('accept_message called twice');
      context.accepted = true;
    },
    msg_reply_data_append: (src: number, size: number) => {
      charge('msg_reply_data_append', BYTE_TRANSMISSION_COST_FACTOR * size);
      const context = ctx();
      context.checkReplySize('msg_reply_data_append', size);
      context.appendReply(read(src, size));
    },
    msg_reply: () => {
      charge('msg_reply');
      ctx().reply();
    },
    msg_reject: (src: number, size: number) => {
      charge('msg_reject', BYTE_TRANSMISSION_COST_FACTOR * size);
      const context = ctx();
      context.checkReplySize('msg_reject', size);
      context.rejectCall(decoder.decode(read(src, size)));
    },
    // --- cycles: balances are not kept by the devnet
    msg_cycles_available128: (dst: number) => {
      charge('msg_cycles_available128');
      write128(dst, 0n);
    },
    msg_cycles_refunded128: (dst: number) => {
      charge('msg_cycles_refunded128');
      write128(dst, 0n);
    },
    msg_cycles_accept128: (_high: bigint, _low: bigint, dst: number) => {
      charge('msg_cycles_accept128');
      write128(dst, 0n);
    },
    canister_cycle_balance128: (dst: number) => {
      charge('canister_cycle_balance128');
      write128(dst, CYCLE_BALANCE);
    },
    canister_liquid_cycle_balance128: (dst: number) => {
      charge('canister_liquid_cycle_balance128');
      write128(dst, CYCLE_BALANCE);
    },
    cycles_burn128: (_high: bigint, _low: bigint, dst: number) => {
      charge('cycles_burn128');
      write128(dst, 0n);
    },
    cost_call: (_methodNameSize: bigint, _payloadSize: bigint, dst: number) => {
      charge('cost_call');
      write128(dst, 0n);
    },
    // --- canister
    canister_self_size: () => {
      charge('canister_self_size');
      return host.selfId.length;
    },
    canister_self_copy: (dst: number, offset: number, size: number) => {
      charge('canister_self_copy', size);
      copy(host.selfId, dst, offset, size, 'canister_self_copy');
    },
    canister_version: () => {
      charge('canister_version');
      return host.version();
    },
    is_controller: (src: number, size: number) => {
      charge('is_controller', size);
      return host.isController(read(src, size)) ? 1 : 0;
    },
    in_replicated_execution: () => {
      charge('in_replicated_execution');
      return ctx().replicated ? 1 : 0;
    },
    performance_counter: (counter: number) => {
      charge('performance_counter');
      const executed = meter.executed() ?? 0n;
      if (counter === 0) return executed;
      if (counter === 1) return ctx().callContextInstructions + executed;
      throw new CanisterTrap('user-contract-violation', `Error getting performance counter type ${counter}`);
    },
    debug_print: (src: number, size: number) => {
      charge('debug_print', meter.log.charge(size));
      host.debugPrint(decoder.decode(read(src, size)));
    },
    trap: (src: number, size: number) => {
      charge('trap', size + meter.log.charge(size));
      throw new CanisterTrap('called-trap', decoder.decode(read(src, size)));
    },
    // --- time, timer, certification
    time: () => {
      charge('time');
      return ctx().time;
    },
    global_timer_set: (timestamp: bigint) => {
      charge('global_timer_set');
      const context = ctx();
      const previous = context.globalTimer ?? host.committedGlobalTimer();
      context.globalTimer = BigInt.asUintN(64, timestamp);
      return previous;
    },
    certified_data_set: (src: number, size: number) => {
      charge('certified_data_set', size);
      const context = ctx();
      if (size > MAX_CERTIFIED_DATA) trap(`certified_data_set: ${size} bytes exceed ${MAX_CERTIFIED_DATA}`);
      if (!context.replicated) trap('certified_data_set is not allowed in non-replicated executions');
      context.certifiedData = read(src, size);
    },
    data_certificate_present: () => {
      charge('data_certificate_present');
      return ctx().hasDataCertificate ? 1 : 0;
    },
    data_certificate_size: () => {
      charge('data_certificate_size');
      const certificate = ctx().dataCertificate;
      if (certificate === undefined) trap('data_certificate_size: no data certificate (only in queries)');
      return certificate.length;
    },
    data_certificate_copy: (dst: number, offset: number, size: number) => {
      charge('data_certificate_copy', size);
      const certificate = ctx().dataCertificate;
      if (certificate === undefined) trap('data_certificate_copy: no data certificate (only in queries)');
      copy(certificate, dst, offset, size, 'data_certificate_copy');
    },
    // --- stable memory (64-bit API: addresses and sizes are BigInt)
    stable64_size: () => BigInt(host.stable.size()),
    stable64_grow: (pages: bigint) => {
      charge('stable64_grow');
      return BigInt(host.stable.grow(Number(pages)));
    },
    stable64_read: (dst: bigint, offset: bigint, size: bigint) => {
      charge('stable64_read', Number(size));
      const target = view(Number(dst), Number(size));
      host.stable.read(target, Number(offset));
    },
    stable64_write: (offset: bigint, src: bigint, size: bigint) => {
      charge('stable64_write', Number(size));
      meter.chargeStableWrite(Number(offset), Number(size), DIRTY_PAGE_OVERHEAD);
      host.stable.write(read(Number(src), Number(size)), Number(offset));
    },
    // --- inter-canister calls
    call_new: (
      calleeSrc: number,
      calleeSize: number,
      nameSrc: number,
      nameSize: number,
      replyFun: number,
      replyEnv: number,
      rejectFun: number,
      rejectEnv: number,
    ) => {
      charge('call_new', calleeSize + nameSize);
      const context = ctx();
      if (!context.canCall) trap(`call_new is not allowed in ${context.kind}`);
      context.pendingCall = {
        callee: read(calleeSrc, calleeSize),
        methodName: decoder.decode(read(nameSrc, nameSize)),
        arg: new Uint8Array(0),
        replyFun,
        replyEnv,
        rejectFun,
        rejectEnv,
        cleanup: undefined,
      };
    },
    call_on_cleanup: (fun: number, env: number) => {
      charge('call_on_cleanup');
      const call = pending();
      if (call.cleanup !== undefined) trap('call_on_cleanup called twice');
      call.cleanup = { fun, env };
    },
    call_data_append: (src: number, size: number) => {
      charge('call_data_append', BYTE_TRANSMISSION_COST_FACTOR * size);
      const call = pending();
      const data = read(src, size);
      const joined = new Uint8Array(call.arg.length + data.length);
      joined.set(call.arg);
      joined.set(data, call.arg.length);
      call.arg = joined;
    },
    call_cycles_add128: () => {
      charge('call_cycles_add128');
      pending();
    },
    call_with_best_effort_response: () => {
      charge('call_with_best_effort_response');
      pending();
    },
    call_perform: () => {
      charge('call_perform');
      const context = ctx();
      const call = pending();
      context.pendingCall = undefined;
      context.outgoing.push(call);
      return 0;
    },
  };
}
