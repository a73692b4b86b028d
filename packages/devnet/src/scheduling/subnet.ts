/**
 * A one-subnet Internet Computer in Node: installs real canister wasm, executes ingress updates, queries,
 * inter-canister calls and global timers with the replica's semantics (rollback on trap, serialized
 * executions, committed-state queries), and exposes what the HTTP interface needs.
 *
 * @example
 * ```ts
 * const subnet = new Subnet({ clock: Clock.manual(), dataCertificate: (id) => certify(id) });
 * const id = await subnet.install({ wasm, arg: IDL.encode([IDL.Opt(IDL.Text)], [[]]) });
 * await subnet.tick(); // runs the 0 s timer Azle arms at init
 * const outcome = await subnet.update({ canisterId: id, methodName: 'increment', arg, caller });
 * await subnet.close();
 * ```
 */
import { Principal } from '@dfinity/principal';
import { ErrorCode, IcWsError } from 'ic-ws-protocol';
import { canisterIdFromIndex } from './canister-id';
import { CanisterInstance } from '../execution/canister-instance';
import { Clock } from './clock';
import { describeExecution, type ExecutionStats } from '../execution/execution-stats';
import type { HeapRollbackMode } from '../execution/heap-rollback';
import { MessageDispatcher } from './message-dispatcher';
import { isManagementCanister, MANAGEMENT_CANISTER_TEXT } from './management-canister';
import { canisterNotFound, didNotReply, inspectRejected, methodNotFound, rejected, ReplicaErrorCode } from '../execution/replica-errors';
import { ingressInductionCycles } from '../execution/cycles-fees';
import { INSTRUCTION_LIMITS } from '../execution/instruction-limits';
import { CallCostLedger } from './call-cost-ledger';
import { TimerScheduler } from './timer-scheduler';
import type { CallOutcome, CallRequest, ExecutionEnvironment } from '../execution/types';

/**
 * A line of devnet diagnostics: canister `debug_print` output (`debug`), what an execution cost
 * (`execution`: instructions, cycles, time), or an engine warning.
 */
export interface SubnetLogEntry {
  level: 'debug' | 'execution' | 'warn';
  /** Text id of the canister concerned, or a subsystem name. */
  source: string;
  message: string;
}

/** Options of `Subnet`. */
export interface SubnetOptions {
  /** IC time source. @default new Clock() (real time; timers fire on their own) */
  clock?: Clock;
  /** Produces the certificate `ic0.data_certificate_copy` returns in queries of `canisterId`. */
  dataCertificate: (canisterId: Principal) => Uint8Array;
  /** Receives canister debug output and engine warnings. @default drops everything */
  log?: (entry: SubnetLogEntry) => void;
  /**
   * How heaps are rolled back: `'dirty-pages'` copies only the 64 KiB pages an execution wrote (found by
   * instrumenting the wasm's stores), `'full-copy'` copies the whole heap, `'checked'` runs `'dirty-pages'`
   * and verifies every commit and rollback against a full copy (slow; for tests). @default 'dirty-pages'
   */
  heapRollback?: HeapRollbackMode;
  /**
   * Count every execution's instructions as the replica does (its cost per wasm instruction and System API
   * overheads), answer `ic0.performance_counter` with them, and stop executions at the replica's instruction
   * limits. Off, canisters run unmetered: slightly faster, no counts, no limits. @default true
   */
  metering?: boolean;
  /** Receives what every execution cost: instructions, cycles, timings (benchmarks, diagnostics). @default none */
  onExecution?: (stats: ExecutionStats) => void;
}

/** Arguments of `Subnet.install`. */
export interface InstallArgs {
  wasm: Uint8Array;
  /** Candid-encoded init arguments, exactly of the `@init` types. @default empty Candid arguments */
  arg?: Uint8Array;
  /** @default the next free id of the devnet's range */
  canisterId?: Principal;
  /** @default [anonymous] */
  controllers?: Principal[];
}

/** Arguments of `Subnet.upgrade`. */
export interface UpgradeArgs {
  canisterId: Principal;
  wasm: Uint8Array;
  /** Candid-encoded `@postUpgrade` arguments. @default empty Candid arguments */
  arg?: Uint8Array;
}

/** Candid encoding of "no arguments". */
const EMPTY_CANDID = Uint8Array.from([0x44, 0x49, 0x44, 0x4c, 0x00, 0x00]);

/** The devnet's execution environment. */
export class Subnet implements ExecutionEnvironment {
  private readonly clock: Clock;
  private readonly canisters = new Map<string, CanisterInstance>();
  private readonly dispatcher: MessageDispatcher;
  private readonly timers: TimerScheduler;
  private readonly certifiedListeners: ((id: Principal) => void)[] = [];
  private nextIndex = 0n;
  private closed = false;

  constructor(private readonly options: SubnetOptions) {
    this.clock = options.clock ?? new Clock();
    this.dispatcher = new MessageDispatcher({
      canister: (id) => this.canisters.get(keyOf(id)),
      canisterText: (id) => Principal.fromUint8Array(id).toText(),
      now: () => this.clock.now(),
      warn: (source, message) => this.log('warn', source, message),
    });
    this.timers = new TimerScheduler({
      clock: this.clock,
      canisters: () => this.canisters.values(),
      enqueue: (canister) => this.dispatcher.queue.push({ kind: 'timer', canister }),
      drain: () => this.dispatcher.queue.drain(),
    });
  }

  hasCanister(id: Principal): boolean {
    return this.canisters.has(keyOf(id.toUint8Array()));
  }

  canisterIds(): Principal[] {
    return [...this.canisters.values()].map((canister) => canister.id);
  }

  now(): bigint {
    return this.clock.now();
  }

  certifiedData(id: Principal): Uint8Array {
    return this.canisters.get(keyOf(id.toUint8Array()))?.certifiedData ?? new Uint8Array(0);
  }

  onCertifiedDataChange(listener: (id: Principal) => void): void {
    this.certifiedListeners.push(listener);
  }

  /** Installs `wasm` as a new canister and runs `canister_init`; throws `CANISTER_INSTALL_FAILED` if it traps. */
  async install(args: InstallArgs): Promise<Principal> {
    this.assertOpen();
    const id = args.canisterId ?? this.allocateId();
    if (this.hasCanister(id)) {
      throw new IcWsError(ErrorCode.CanisterInstallFailed, `canister ${id.toText()} is already installed`);
    }
    const controllers = args.controllers ?? [Principal.anonymous()];
    const canister = new CanisterInstance(
      id,
      args.wasm,
      controllers,
      {
        debugPrint: (message) => this.log('debug', id.toText(), message),
        warn: (message) => this.log('warn', id.toText(), message),
        certifiedDataChanged: () => this.notifyCertified(id),
        onExecution: (stats) => this.reportExecution(stats),
        heapRollback: this.options.heapRollback,
        metering: this.options.metering,
      },
    );
    canister.version = 1n;
    // Registered before init so that certified-data listeners called during init can read the canister.
    this.canisters.set(keyOf(canister.idBytes), canister);
    try {
      this.runLifecycleHook(canister, 'init', 'canister_init', args.arg);
    } catch (error) {
      this.canisters.delete(keyOf(canister.idBytes));
      throw error;
    }
    this.timers.reschedule();
    return id;
  }

  /**
   * Upgrades a canister: `canister_pre_upgrade` on the old module, a fresh instance of `wasm` (heap reset,
   * stable memory kept, global timer cleared), then `canister_post_upgrade`. A trap in either hook throws
   * `CANISTER_INSTALL_FAILED`; a trapping post_upgrade puts the old module and stable memory back.
   */
  async upgrade(args: UpgradeArgs): Promise<void> {
    this.assertOpen();
    const canister = this.requireCanister(args.canisterId);
    this.dispatcher.queue.drain();
    const checkpoint = canister.stable.checkpoint();
    const before = { timer: canister.globalTimer, certified: canister.certifiedData };
    // pre_upgrade and post_upgrade run in one install_code message: they share its instruction limit.
    const preUpgradeInstructions = this.runLifecycleHook(canister, 'pre_upgrade', 'canister_pre_upgrade', undefined);
    const restoreModule = canister.swapModule(args.wasm);
    canister.globalTimer = 0n;
    try {
      this.runLifecycleHook(canister, 'post_upgrade', 'canister_post_upgrade', args.arg, INSTRUCTION_LIMITS.installCode - preUpgradeInstructions);
    } catch (error) {
      restoreModule();
      canister.stable.restore(checkpoint);
      canister.globalTimer = before.timer;
      canister.certifiedData = before.certified;
      throw error;
    }
    canister.version++;
    this.timers.reschedule();
  }

  update(req: CallRequest): Promise<CallOutcome> {
    if (this.closed) return Promise.resolve(devnetClosed());
    const callee = req.canisterId.toUint8Array();
    if (isManagementCanister(callee)) {
      return Promise.resolve(
        rejected(4, ReplicaErrorCode.UnknownManagementMessage, `ic-ws-devnet does not accept ingress messages to ${MANAGEMENT_CANISTER_TEXT}`),
      );
    }
    const canister = this.canisters.get(keyOf(callee));
    if (canister === undefined) return Promise.resolve(canisterNotFound(req.canisterId.toText()));
    if (!canister.hasExport(`canister_update ${req.methodName}`)) {
      return Promise.resolve(methodNotFound(canister.idText, 'update', req.methodName));
    }
    const ingressBytes = req.ingressBytes ?? new TextEncoder().encode(req.methodName).length + req.arg.length;
    const ledger = new CallCostLedger(ingressInductionCycles(ingressBytes));
    const inspection = this.inspect(canister, req, ledger);
    if (inspection !== undefined) return Promise.resolve(inspection);
    return new Promise<CallOutcome>((resolve) => {
      this.dispatcher.queue.push({
        kind: 'request',
        callee,
        methodName: req.methodName,
        arg: req.arg,
        caller: req.caller.toUint8Array(),
        origin: { kind: 'ingress', resolve, ledger },
      });
      this.dispatcher.queue.drain();
      this.timers.reschedule();
    });
  }

  query(req: CallRequest): Promise<CallOutcome> {
    if (this.closed) return Promise.resolve(devnetClosed());
    const canister = this.canisters.get(keyOf(req.canisterId.toUint8Array()));
    if (canister === undefined) return Promise.resolve(canisterNotFound(req.canisterId.toText()));
    const entry = [`canister_query ${req.methodName}`, `canister_composite_query ${req.methodName}`].find((name) =>
      canister.hasExport(name),
    );
    if (entry === undefined) return Promise.resolve(methodNotFound(canister.idText, 'query', req.methodName));
    const result = canister.execute(
      {
        kind: 'query',
        arg: req.arg,
        caller: req.caller.toUint8Array(),
        methodName: req.methodName,
        time: this.clock.now(),
        dataCertificate: () => this.options.dataCertificate(canister.id),
      },
      { export: entry },
      { rollback: true },
    );
    const ledger = new CallCostLedger();
    ledger.recordExecution(result.stats);
    const outcome =
      result.trap === undefined
        ? (MessageDispatcher.outcomeOf(result.context) ?? didNotReply(canister.idText))
        : result.trap.toOutcome(canister.idText);
    return Promise.resolve({ ...outcome, cost: ledger.snapshot() });
  }

  /** Moves the clock forward (manual clocks; real clocks get a permanent offset). Timers run on `tick()`. */
  advanceTime(ms: number): void {
    this.clock.advance(ms);
    this.timers.reschedule();
  }

  /** Runs every due global timer and drains the queue, repeating while timers keep becoming due. */
  async tick(): Promise<void> {
    this.assertOpen();
    this.timers.runDue();
  }

  /** Stops timers; later calls are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    this.timers.stop();
  }

  /** Runs `canister_inspect_message` (rolled back); returns the reject, or undefined when accepted. */
  private inspect(canister: CanisterInstance, req: CallRequest, ledger: CallCostLedger): CallOutcome | undefined {
    if (!canister.hasExport('canister_inspect_message')) return undefined;
    const result = canister.execute(
      {
        kind: 'inspect_message',
        arg: req.arg,
        caller: req.caller.toUint8Array(),
        methodName: req.methodName,
        time: this.clock.now(),
      },
      { export: 'canister_inspect_message' },
      { rollback: true },
    );
    ledger.recordExecution(result.stats);
    if (result.trap !== undefined) return result.trap.toOutcome(canister.idText);
    return result.context.accepted ? undefined : inspectRejected(canister.idText);
  }

  /** Runs an install hook if exported; returns the instructions it used. */
  private runLifecycleHook(
    canister: CanisterInstance,
    kind: 'init' | 'pre_upgrade' | 'post_upgrade',
    entry: string,
    arg: Uint8Array | undefined,
    limit?: bigint,
  ): bigint {
    if (!canister.hasExport(entry)) return 0n;
    const result = canister.execute(
      { kind, arg: arg ?? EMPTY_CANDID, caller: canister.controllers[0] ?? new Uint8Array([4]), time: this.clock.now() },
      { export: entry },
      limit === undefined ? {} : { limit },
    );
    if (result.trap !== undefined) {
      throw new IcWsError(
        ErrorCode.CanisterInstallFailed,
        `${entry} of ${canister.idText} trapped: ${result.trap.toOutcome(canister.idText).rejectMessage}`,
        { cause: result.trap },
      );
    }
    return result.instructions ?? 0n;
  }

  private allocateId(): Principal {
    for (;;) {
      const id = canisterIdFromIndex(this.nextIndex++);
      if (!this.hasCanister(id)) return id;
    }
  }

  private requireCanister(id: Principal): CanisterInstance {
    const canister = this.canisters.get(keyOf(id.toUint8Array()));
    if (canister === undefined) throw new IcWsError(ErrorCode.CanisterNotFound, `canister ${id.toText()} is not installed`);
    return canister;
  }

  private notifyCertified(id: Principal): void {
    for (const listener of this.certifiedListeners) {
      try {
        listener(id);
      } catch (error) {
        // A failing listener must not undo or abort the commit that triggered it.
        this.log('warn', id.toText(), `certified data listener failed: ${String(error)}`);
      }
    }
  }

  private reportExecution(stats: ExecutionStats): void {
    this.options.onExecution?.(stats);
    if (this.options.log) this.log('execution', stats.canisterId, describeExecution(stats));
  }

  private log(level: SubnetLogEntry['level'], source: string, message: string): void {
    this.options.log?.({ level, source, message });
  }

  private assertOpen(): void {
    if (this.closed) throw new IcWsError(ErrorCode.DevnetClosed, 'the subnet is closed');
  }
}

function keyOf(id: Uint8Array): string {
  return Buffer.from(id).toString('hex');
}

function devnetClosed(): CallOutcome {
  return rejected(5, ReplicaErrorCode.CanisterStopped, 'ic-ws-devnet: the subnet is closed');
}
