/**
 * A one-subnet Internet Computer in Node: hosts canisters (created empty, then given code), executes ingress
 * updates, queries, inter-canister calls, management canister calls and global timers with the replica's
 * semantics (rollback on trap, serialized executions, committed-state queries, stopped canisters refusing
 * calls), and exposes what the HTTP interface and persistence need.
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
import { CanisterInstance, type CanisterInstanceHooks } from '../execution/canister-instance';
import { describeExecution, type ExecutionStats } from '../execution/execution-stats';
import { ingressInductionCycles } from '../execution/cycles-fees';
import { CallCostLedger } from './call-cost-ledger';
import type { HeapRollbackMode } from '../execution/heap-rollback';
import { CYCLE_BALANCE } from '../execution/ic0-imports';
import { canisterNotFound, didNotReply, inspectRejected, methodNotFound, rejected, ReplicaErrorCode, type RejectedOutcome } from '../execution/replica-errors';
import type { CallOutcome, CallRequest, ExecutionEnvironment } from '../execution/types';
import { canisterIdExists, canisterNotRunning, stoppedCanisterQuery, wasmModuleNotFound } from '../management/management-errors';
import { isManagementCanister, ManagementCanister, type InstallRequest, type ManagementHost } from '../management/management-canister';
import type { LiveCanisterState } from '../persistence/canister-image';
import type { PersistableSubnet, RestoredSubnet } from '../persistence/persister';
import { canisterIdFromIndex } from './canister-id';
import { Clock } from './clock';
import { EMPTY_CANDID, installCode, type CodeInstallerHost } from './code-installer';
import { ManagedCanister } from './managed-canister';
import { MessageDispatcher } from './message-dispatcher';
import { TimerScheduler } from './timer-scheduler';

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
  /**
   * Produces the certificate `ic0.data_certificate_copy` returns in queries of `canisterId`, its delegation
   * (if any) carrying the canister ranges in the format `ranges` the query's endpoint asked for.
   */
  dataCertificate: (canisterId: Principal, ranges: 'flat' | 'tree') => Uint8Array;
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
  /** Called after timers fired on their own (real time), when the state moved outside any caller's request. @default none */
  afterTimers?: () => void;
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

/** The devnet's execution environment. */
export class Subnet implements ExecutionEnvironment {
  private readonly clock: Clock;
  private readonly canisters = new Map<string, ManagedCanister>();
  private readonly dispatcher: MessageDispatcher;
  private readonly timers: TimerScheduler;
  private readonly management: ManagementCanister;
  private readonly installer: CodeInstallerHost;
  private readonly certifiedListeners: ((id: Principal) => void)[] = [];
  private nextIndex = 0n;
  private closed = false;

  constructor(private readonly options: SubnetOptions) {
    this.clock = options.clock ?? new Clock();
    this.installer = { hooks: (canister) => this.instanceHooks(canister), now: () => this.clock.now() };
    this.management = new ManagementCanister(this.managementHost());
    this.dispatcher = new MessageDispatcher({
      target: (id) => this.target(id, 'update'),
      management: (method, arg, caller) => this.management.call(method, arg, caller),
      now: () => this.clock.now(),
      warn: (source, message) => this.log('warn', source, message),
    });
    this.timers = new TimerScheduler({
      clock: this.clock,
      canisters: () => this.runningInstances(),
      enqueue: (canister) => this.dispatcher.queue.push({ kind: 'timer', canister }),
      drain: () => this.dispatcher.queue.drain(),
      ...(options.afterTimers === undefined ? {} : { afterTimers: options.afterTimers }),
    });
  }

  hasCanister(id: Principal): boolean {
    return this.canisters.has(keyOf(id.toUint8Array()));
  }

  /** The canisters, in creation order (empty ones included). */
  canisterIds(): Principal[] {
    return [...this.canisters.values()].map((canister) => canister.id);
  }

  now(): bigint {
    return this.clock.now();
  }

  /** The sha256 (hex) of the module `id` runs, or undefined (no such canister, or no code). */
  moduleHashOf(id: Principal): string | undefined {
    return this.canisters.get(keyOf(id.toUint8Array()))?.instance?.moduleHash;
  }

  certifiedData(id: Principal): Uint8Array {
    return this.canisters.get(keyOf(id.toUint8Array()))?.instance?.certifiedData ?? new Uint8Array(0);
  }

  onCertifiedDataChange(listener: (id: Principal) => void): void {
    this.certifiedListeners.push(listener);
  }

  /**
   * Creates a canister and installs `wasm` in it (running `canister_init`); throws `CANISTER_INSTALL_FAILED`
   * if the id is taken or init traps (the canister is then not created), `CANISTER_WASM_INVALID` for a module
   * that does not load.
   */
  async install(args: InstallArgs): Promise<Principal> {
    this.assertOpen();
    const controllers = (args.controllers ?? [Principal.anonymous()]).map((controller) => controller.toUint8Array());
    const created = this.createCanister(controllers, args.canisterId);
    if (!(created instanceof ManagedCanister)) {
      throw new IcWsError(ErrorCode.CanisterInstallFailed, `canister ${args.canisterId?.toText()} is already installed`);
    }
    const failed = this.installDirectly(created, { mode: 'install', wasm: args.wasm, arg: args.arg ?? EMPTY_CANDID, skipPreUpgrade: false, caller: controllers[0] ?? Uint8Array.of(4) });
    if (failed !== undefined) {
      this.canisters.delete(keyOf(created.idBytes));
      this.notifyCertified(created.id);
      throw failed;
    }
    return created.id;
  }

  /**
   * Upgrades a canister: `canister_pre_upgrade` on the old module, a fresh instance of `wasm` (heap reset,
   * stable memory kept, global timer cleared), then `canister_post_upgrade`. Throws `CANISTER_NOT_FOUND`, or
   * `CANISTER_INSTALL_FAILED` when a hook traps (the canister is then exactly as it was).
   */
  async upgrade(args: UpgradeArgs): Promise<void> {
    this.assertOpen();
    const canister = this.canisters.get(keyOf(args.canisterId.toUint8Array()));
    if (canister === undefined) throw new IcWsError(ErrorCode.CanisterNotFound, `canister ${args.canisterId.toText()} is not installed`);
    this.dispatcher.queue.drain();
    const failed = this.installDirectly(canister, {
      mode: 'upgrade',
      wasm: args.wasm,
      arg: args.arg ?? EMPTY_CANDID,
      skipPreUpgrade: false,
      caller: canister.controllers[0] ?? Uint8Array.of(4),
    });
    if (failed !== undefined) throw failed;
  }

  update(req: CallRequest): Promise<CallOutcome> {
    if (this.closed) return Promise.resolve(devnetClosed());
    const callee = req.canisterId.toUint8Array();
    const caller = req.caller.toUint8Array();
    if (isManagementCanister(callee)) {
      const refused = this.management.filterIngress(req.methodName, req.arg, caller);
      if (refused !== undefined) return Promise.resolve({ ...refused, nonReplicated: true });
      return this.enqueueIngress(req, callee, caller, new CallCostLedger());
    }
    const target = this.target(callee, 'update');
    if ('reject' in target) return Promise.resolve({ ...target.reject, nonReplicated: true });
    const canister = target.instance;
    if (!canister.hasExport(`canister_update ${req.methodName}`)) {
      return Promise.resolve(methodNotFound(canister.idText, 'update', req.methodName));
    }
    const ingressBytes = req.ingressBytes ?? new TextEncoder().encode(req.methodName).length + req.arg.length;
    const ledger = new CallCostLedger(ingressInductionCycles(ingressBytes));
    const inspection = this.inspect(canister, req, ledger);
    if (inspection !== undefined) return Promise.resolve({ ...inspection, nonReplicated: true });
    return this.enqueueIngress(req, callee, caller, ledger);
  }

  query(req: CallRequest): Promise<CallOutcome> {
    if (this.closed) return Promise.resolve(devnetClosed());
    const target = this.target(req.canisterId.toUint8Array(), 'query');
    if ('reject' in target) return Promise.resolve(target.reject);
    const canister = target.instance;
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
        dataCertificate: () => this.options.dataCertificate(canister.id, req.dataCertificateRanges ?? 'flat'),
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

  /** The subnet as persistence reads it at a commit point (between executions); names are the devnet's. */
  persistable(): Omit<PersistableSubnet, 'names'> {
    return {
      timeNs: this.clock.now(),
      nextIndex: this.nextIndex,
      canisters: [...this.canisters.values()].map((canister) => ({
        id: canister.idBytes,
        changeCount: canister.memoryChangeCount,
        state: () => persistentStateOf(canister),
      })),
    };
  }

  /**
   * Brings back persisted canisters into this fresh subnet (before it serves anything): each module is
   * instantiated and given its heap, globals, stable memory, certified data and timer; nothing runs.
   */
  restore(restored: RestoredSubnet, readModule: (hash: string) => Uint8Array): void {
    if (this.canisters.size > 0) throw new IcWsError(ErrorCode.InvalidOptions, 'Subnet.restore: the subnet already has canisters');
    for (const image of restored.canisters) {
      const id = Principal.fromUint8Array(image.id);
      const canister = new ManagedCanister(id, image.settings.controllers);
      canister.status = image.settings.status;
      canister.chunks.restore(image.settings.chunks);
      if (image.moduleHash !== '') {
        const instance = new CanisterInstance(id, readModule(image.moduleHash), [], this.instanceHooks(canister));
        canister.instance = instance;
        instance.restoreState(image);
      }
      canister.restoreVersion(image.version);
      this.canisters.set(keyOf(canister.idBytes), canister);
    }
    this.nextIndex = restored.nextIndex;
    this.timers.reschedule();
  }

  private enqueueIngress(req: CallRequest, callee: Uint8Array, caller: Uint8Array, ledger: CallCostLedger): Promise<CallOutcome> {
    return new Promise<CallOutcome>((resolve) => {
      this.dispatcher.queue.push({ kind: 'request', callee, methodName: req.methodName, arg: req.arg, caller, origin: { kind: 'ingress', resolve, ledger } });
      this.dispatcher.queue.drain();
      this.timers.reschedule();
    });
  }

  /** The instance a message to `id` runs on, or why it cannot run. */
  private target(id: Uint8Array, kind: 'update' | 'query'): { instance: CanisterInstance } | { reject: RejectedOutcome } {
    const canister = this.canisters.get(keyOf(id));
    if (canister === undefined) return { reject: canisterNotFound(Principal.fromUint8Array(id).toText()) };
    if (canister.status === 'stopped') {
      return { reject: kind === 'query' ? stoppedCanisterQuery(canister.idText) : canisterNotRunning(canister.idText) };
    }
    if (canister.instance === undefined) return { reject: wasmModuleNotFound(canister.idText) };
    return { instance: canister.instance };
  }

  private *runningInstances(): Iterable<CanisterInstance> {
    for (const canister of this.canisters.values()) {
      if (canister.status === 'running' && canister.instance !== undefined) yield canister.instance;
    }
  }

  /** Runs `canister_inspect_message` (rolled back); returns the reject, or undefined when accepted. */
  private inspect(canister: CanisterInstance, req: CallRequest, ledger: CallCostLedger): RejectedOutcome | undefined {
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

  /** An install from the devnet's own API: the subnet's queue is idle, so it runs directly. */
  private installDirectly(canister: ManagedCanister, request: InstallRequest): IcWsError | undefined {
    const failed = this.runInstall(canister, request);
    if (failed === undefined) return undefined;
    const code = failed.errorCode === ReplicaErrorCode.CanisterInvalidWasm ? ErrorCode.CanisterWasmInvalid : ErrorCode.CanisterInstallFailed;
    return new IcWsError(code, `${request.mode} of ${canister.idText} failed: ${failed.rejectMessage}`);
  }

  private runInstall(canister: ManagedCanister, request: InstallRequest): RejectedOutcome | undefined {
    const failed = installCode(this.installer, canister, request);
    this.notifyCertified(canister.id);
    this.timers.reschedule();
    return failed;
  }

  private createCanister(controllers: readonly Uint8Array[], specifiedId: Principal | undefined): ManagedCanister | RejectedOutcome {
    const id = specifiedId ?? this.allocateId();
    if (this.hasCanister(id)) return canisterIdExists(id.toText());
    const canister = new ManagedCanister(id, controllers);
    this.canisters.set(keyOf(canister.idBytes), canister);
    this.notifyCertified(id);
    return canister;
  }

  private managementHost(): ManagementHost {
    return {
      canister: (id) => this.canisters.get(keyOf(id)),
      createCanister: (controllers, specifiedId) => this.createCanister(controllers, specifiedId),
      installCode: (canister, request) => this.runInstall(canister, request),
      uninstallCode: (canister) => {
        canister.instance = undefined;
        canister.bumpVersion();
        this.notifyCertified(canister.id);
        this.timers.reschedule();
      },
      deleteCanister: (canister) => {
        this.canisters.delete(keyOf(canister.idBytes));
        this.notifyCertified(canister.id);
        this.timers.reschedule();
      },
      statusChanged: () => this.timers.reschedule(),
      cycleBalance: CYCLE_BALANCE,
    };
  }

  private instanceHooks(canister: ManagedCanister): CanisterInstanceHooks {
    const text = canister.idText;
    return {
      debugPrint: (message) => this.log('debug', text, message),
      warn: (message) => this.log('warn', text, message),
      certifiedDataChanged: () => this.notifyCertified(canister.id),
      onExecution: (stats) => this.reportExecution(stats),
      heapRollback: this.options.heapRollback,
      metering: this.options.metering,
    };
  }

  private allocateId(): Principal {
    for (;;) {
      const id = canisterIdFromIndex(this.nextIndex++);
      if (!this.hasCanister(id)) return id;
    }
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

const EMPTY = new Uint8Array(0);

/** A canister's state for persistence; an empty canister has no module (hash `''`) and no memory. */
function persistentStateOf(canister: ManagedCanister): LiveCanisterState {
  const settings = canister.settingsImage();
  if (canister.instance !== undefined) return canister.instance.persistentState(settings);
  return {
    id: canister.idBytes,
    moduleHash: '',
    wasm: EMPTY,
    heap: EMPTY,
    globals: [],
    stable: { chunks: new Map(), pages: 0 },
    certifiedData: EMPTY,
    globalTimer: 0n,
    version: canister.version,
    settings,
  };
}

function keyOf(id: Uint8Array): string {
  return Buffer.from(id).toString('hex');
}

function devnetClosed(): CallOutcome {
  return rejected(5, ReplicaErrorCode.CanisterStopped, 'ic-ws-devnet: the subnet is closed');
}

