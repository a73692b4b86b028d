/**
 * Executes the subnet's queued messages: requests (ingress or inter-canister), responses (run as reply or
 * reject callbacks through the caller's function table) and global timers. It owns the call-context rules:
 * who gets answered, when, and with what.
 */
import { CallContext, type CallOrigin, type PendingCallback } from './call-context';
import { CallCostLedger } from './call-cost-ledger';
import { xnetCallCycles, CYCLES_FEES } from '../execution/cycles-fees';
import { CallQueue } from './call-queue';
import type { CanisterInstance, ExecutionResult } from '../execution/canister-instance';
import type { ExecutionContext } from '../execution/execution-context';
import { isManagementCanister } from '../management/management-canister';
import { didNotReply, methodNotFound, rejected, ReplicaErrorCode, type RejectedOutcome } from '../execution/replica-errors';
import type { CallOutcome } from '../execution/types';

/** A unit of work on the subnet. */
export type SubnetTask =
  | {
      kind: 'request';
      callee: Uint8Array;
      methodName: string;
      arg: Uint8Array;
      caller: Uint8Array;
      origin: CallOrigin;
    }
  | { kind: 'response'; callback: PendingCallback; outcome: CallOutcome }
  | { kind: 'timer'; canister: CanisterInstance };

/** What the dispatcher needs from the subnet. */
export interface DispatcherHost {
  /** The instance a request to `id` runs on, or the reject its caller gets (missing, stopped or empty canister). */
  target(id: Uint8Array): { instance: CanisterInstance } | { reject: RejectedOutcome };
  /** Executes a call to the management canister by `caller`: a user's ingress message or a canister's call. */
  management(method: string, arg: Uint8Array, caller: { kind: 'ingress' | 'canister'; id: Uint8Array }): CallOutcome;
  now(): bigint;
  warn(canisterText: string, message: string): void;
}

/** Runs `SubnetTask`s from a `CallQueue`. */
export class MessageDispatcher {
  readonly queue = new CallQueue<SubnetTask>((task) => this.run(task));

  constructor(private readonly host: DispatcherHost) {}

  /** Converts what an execution produced into the outcome its caller sees. */
  static outcomeOf(context: ExecutionContext): CallOutcome | undefined {
    const response = context.response;
    if (response === undefined) return undefined;
    if (response.kind === 'reply') return { status: 'replied', reply: response.data };
    return rejected(4, ReplicaErrorCode.CanisterRejectedMessage, response.message);
  }

  private run(task: SubnetTask): void {
    try {
      if (task.kind === 'request') this.runRequest(task);
      else if (task.kind === 'response') this.runResponse(task.callback, task.outcome);
      else this.runTimer(task.canister);
    } catch (error) {
      // A devnet bug must not wedge the queue: answer the affected caller and keep going.
      const target = task.kind === 'timer' ? task.canister.idText : 'subnet';
      this.host.warn(target, `internal error while running a ${task.kind}: ${String(error)}`);
      if (task.kind === 'request') {
        this.deliver(task.origin, rejected(1, ReplicaErrorCode.CanisterTrapped, `ic-ws-devnet internal error: ${String(error)}`));
      }
    }
  }

  private runRequest(task: Extract<SubnetTask, { kind: 'request' }>): void {
    if (isManagementCanister(task.callee)) {
      this.deliver(task.origin, this.host.management(task.methodName, task.arg, { kind: task.origin.kind === 'ingress' ? 'ingress' : 'canister', id: task.caller }));
      return;
    }
    const target = this.host.target(task.callee);
    if ('reject' in target) {
      this.deliver(task.origin, target.reject);
      return;
    }
    const canister = target.instance;
    const entry = `canister_update ${task.methodName}`;
    if (!canister.hasExport(entry)) {
      this.deliver(task.origin, methodNotFound(canister.idText, 'update', task.methodName));
      return;
    }
    const callContext = new CallContext(canister, task.origin, task.caller);
    const result = canister.execute(
      { kind: 'update', arg: task.arg, caller: task.caller, methodName: task.methodName, time: this.host.now() },
      { export: entry },
    );
    this.finish(callContext, result);
  }

  private runResponse(callback: PendingCallback, outcome: CallOutcome): void {
    const { callContext, call } = callback;
    const canister = callContext.canister;
    callContext.outstanding--;
    if (canister.generation !== callback.generation) {
      // The caller was upgraded meanwhile: its old callbacks point into a module that no longer runs.
      this.host.warn(canister.idText, `dropped a response to '${call.methodName}': the canister was upgraded`);
      this.closeIfDone(callContext, undefined);
      return;
    }
    const time = this.host.now();
    const replied = outcome.status === 'replied';
    // The caller pays for the response's bytes (the request's were charged when the call was made).
    const responseBytes = replied ? outcome.reply.length : new TextEncoder().encode(outcome.rejectMessage).length;
    callContext.ledger.recordCycles(CYCLES_FEES.xnetByteTransmission * BigInt(responseBytes));
    const result = canister.execute(
      {
        kind: replied ? 'reply_callback' : 'reject_callback',
        caller: callContext.caller,
        time,
        responded: callContext.responded,
        callContextInstructions: callContext.instructions,
        ...(replied
          ? { arg: outcome.reply }
          : { reject: { code: outcome.rejectCode, message: outcome.rejectMessage } }),
      },
      replied ? { table: call.replyFun, env: call.replyEnv } : { table: call.rejectFun, env: call.rejectEnv },
    );
    if (result.trap !== undefined && call.cleanup !== undefined) {
      callContext.recordExecution(result.stats);
      const cleanup = canister.execute(
        {
          kind: 'cleanup',
          caller: callContext.caller,
          time,
          responded: callContext.responded,
          callContextInstructions: callContext.instructions,
        },
        { table: call.cleanup.fun, env: call.cleanup.env },
      );
      callContext.recordExecution(cleanup.stats);
      if (cleanup.trap !== undefined) this.host.warn(canister.idText, `cleanup callback trapped: ${cleanup.trap.detail}`);
      this.finish(callContext, result, false);
      return;
    }
    this.finish(callContext, result);
  }

  private runTimer(canister: CanisterInstance): void {
    if (!canister.hasExport('canister_global_timer')) return;
    const callContext = new CallContext(canister, { kind: 'system', ledger: new CallCostLedger() }, canister.idBytes);
    const result = canister.execute(
      { kind: 'global_timer', caller: canister.idBytes, time: this.host.now() },
      { export: 'canister_global_timer' },
    );
    this.finish(callContext, result);
  }

  /**
   * Applies an execution's effects to its call context: cost, response, outgoing calls, or the final reject.
   * `record` is false when the caller already recorded the execution's cost.
   */
  private finish(callContext: CallContext, result: ExecutionResult, record = true): void {
    const canister = callContext.canister;
    if (record) callContext.recordExecution(result.stats);
    if (result.trap !== undefined) {
      this.closeIfDone(callContext, result.trap.toOutcome(canister.idText));
      return;
    }
    const outcome = MessageDispatcher.outcomeOf(result.context);
    if (outcome !== undefined) this.respond(callContext, outcome);
    for (const call of result.context.outgoing) {
      callContext.outstanding++;
      callContext.ledger.recordCycles(xnetCallCycles(new TextEncoder().encode(call.methodName).length + call.arg.length));
      this.queue.push({
        kind: 'request',
        callee: call.callee,
        methodName: call.methodName,
        arg: call.arg,
        caller: canister.idBytes,
        origin: { kind: 'canister', callback: { call, callContext, generation: canister.generation } },
      });
    }
    this.closeIfDone(callContext, undefined);
  }

  /** Answers a call context that has nothing left to wait for and never responded. */
  private closeIfDone(callContext: CallContext, trapOutcome: CallOutcome | undefined): void {
    if (callContext.responded || callContext.outstanding > 0) return;
    this.respond(callContext, trapOutcome ?? didNotReply(callContext.canister.idText));
  }

  private respond(callContext: CallContext, outcome: CallOutcome): void {
    callContext.responded = true;
    this.deliver(callContext.origin, outcome);
  }

  private deliver(origin: CallOrigin, outcome: CallOutcome): void {
    if (origin.kind === 'ingress') origin.resolve({ ...outcome, cost: origin.ledger.snapshot() });
    else if (origin.kind === 'canister') this.queue.push({ kind: 'response', callback: origin.callback, outcome });
    else if (outcome.status === 'rejected' && outcome.errorCode !== ReplicaErrorCode.CanisterDidNotReply) {
      this.host.warn('system task', outcome.rejectMessage);
    }
  }
}
