/**
 * One installed canister: its wasm instance and the state that outlives an instance (stable memory,
 * certified data, global timer, version). `execute()` runs one entry point with full rollback on trap;
 * `swapModule()` swaps in a fresh instance for upgrades while stable memory is kept. Heaps are rolled back
 * by dirty pages (see `DirtyPageSnapshot`) unless `heapRollback` says otherwise.
 */
import { createHash } from 'node:crypto';
import type { Principal } from '@dfinity/principal';
import { ErrorCode, IcWsError } from 'ic-ws-protocol';
import { CanisterTrap } from './canister-trap';
import { compileCanisterModule } from '../wasm/compile-canister-module';
import { DirtyPageSnapshot, dirtyPageTracker } from './dirty-page-snapshot';
import { ExecutionContext, type ExecutionInput } from './execution-context';
import type { ExecutionStats } from './execution-stats';
import type { HeapRollback, HeapRollbackMode } from './heap-rollback';
import { HeapSnapshot } from './heap-snapshot';
import { createIc0Imports } from './ic0-imports';
import { PAGE_SIZE, SparseStableMemory } from './sparse-stable-memory';
import type { CanisterImage, CanisterSettingsImage, GlobalValue, LiveCanisterState } from '../persistence/canister-image';
import { executionCycles } from './cycles-fees';
import { InstructionMeter } from './instruction-meter';
import { INSTRUCTION_LIMITS, instructionLimitOf } from './instruction-limits';
import { INSTRUCTION_COUNTER_EXPORT, OUT_OF_INSTRUCTIONS_EXPORT } from '../wasm/instruction-metering';

/** How an entry point is invoked: by export name, or through the function table (callbacks). */
export type EntryPoint = { export: string } | { table: number; env: number };

/** The result of `CanisterInstance.execute()`. */
export interface ExecutionResult {
  context: ExecutionContext;
  /** Set when the execution trapped (and was rolled back). */
  trap: CanisterTrap | undefined;
  /** Instructions the execution ran, System API charges included; undefined when metering is off. */
  instructions: bigint | undefined;
  /** What it cost (also handed to `CanisterInstanceHooks.onExecution`). */
  stats: ExecutionStats;
}

/** Options of `CanisterInstance.execute`. */
export interface ExecuteOptions {
  /** Roll back even without a trap (queries, inspect_message). @default false */
  rollback?: boolean;
  /** Instruction limit, when not the kind's usual one (post_upgrade: what pre_upgrade left). */
  limit?: bigint;
}

interface LoadedModule {
  /** The wasm as installed, and its sha256 (hex): what persistence stores and reinstantiates. */
  wasm: Uint8Array;
  moduleHash: string;
  instance: WebAssembly.Instance;
  memory: WebAssembly.Memory;
  table: WebAssembly.Table | undefined;
  snapshot: HeapRollback;
  /** The module's own mutable globals (exported by the patch), in export order. */
  globals: readonly WebAssembly.Global[];
  meter: InstructionMeter;
  exportNames: ReadonlySet<string>;
}

/** What a `CanisterInstance` reports to, and how it rolls back. */
export interface CanisterInstanceHooks {
  debugPrint(message: string): void;
  /** Engine warnings about this canister. @default dropped */
  warn?: ((message: string) => void) | undefined;
  /** Called after a commit that changed the certified data. */
  certifiedDataChanged(): void;
  /** Receives the timings of every execution. @default none */
  onExecution?: ((stats: ExecutionStats) => void) | undefined;
  /** @default 'dirty-pages' */
  heapRollback?: HeapRollbackMode | undefined;
  /** Count instructions as the replica does and enforce its limits. @default true */
  metering?: boolean | undefined;
}

/** A canister hosted by the devnet. */
export class CanisterInstance {
  readonly idBytes: Uint8Array;
  readonly idText: string;
  readonly stable = new SparseStableMemory();
  certifiedData: Uint8Array = new Uint8Array(0);
  /** Committed global timer in ns; 0 = inactive. */
  globalTimer = 0n;
  version = 0n;
  /** Incremented each time the module is replaced; outstanding callbacks of older generations are dropped. */
  generation = 0;
  controllers: Uint8Array[];
  /** Counts committed changes of memory or module: persistence skips canisters whose count did not move. */
  changeCount = 0;
  private loaded: LoadedModule;
  private current: ExecutionContext | undefined;

  constructor(
    readonly id: Principal,
    wasm: Uint8Array,
    controllers: readonly Principal[],
    private readonly hooks: CanisterInstanceHooks,
  ) {
    this.idBytes = id.toUint8Array();
    this.idText = id.toText();
    this.controllers = controllers.map((controller) => controller.toUint8Array());
    this.loaded = this.load(wasm);
  }

  /** Whether the current module exports `name`. */
  hasExport(name: string): boolean {
    return this.loaded.exportNames.has(name);
  }

  /**
   * Replaces the wasm instance (upgrade): heap and globals start fresh, everything else is kept. Returns a
   * function that puts the previous instance back (a failed upgrade).
   */
  swapModule(wasm: Uint8Array): () => void {
    const previous = { loaded: this.loaded, generation: this.generation };
    this.loaded = this.load(wasm);
    this.generation++;
    this.changeCount++;
    return () => {
      this.loaded = previous.loaded;
      this.generation = previous.generation;
      this.changeCount++;
      previous.loaded.snapshot.resync();
    };
  }

  /**
   * Runs one entry point. On trap, or always when `rollback` is set (queries, inspect_message), the heap,
   * globals and stable memory are restored and the produced effects discarded; otherwise the certified data
   * and global timer the execution set are committed.
   */
  execute(input: ExecutionInput, entry: EntryPoint, options: ExecuteOptions = {}): ExecutionResult {
    if (this.current !== undefined) throw new IcWsError(ErrorCode.CanisterTrapped, 'devnet bug: nested execution');
    const started = performance.now();
    const context = new ExecutionContext(input);
    const { snapshot, meter } = this.loaded;
    snapshot.begin();
    this.stable.begin();
    meter.begin(options.limit ?? instructionLimitOf(input.kind, INSTRUCTION_LIMITS));
    this.current = context;
    let trap: CanisterTrap | undefined;
    const wasmStarted = performance.now();
    try {
      this.invoke(entry);
    } catch (error) {
      // The metering's out-of-instructions handler ends in `unreachable`: report the limit, not that.
      trap = meter.ranOut() ? CanisterTrap.instructionLimit(meter.currentLimit) : CanisterTrap.from(error);
    } finally {
      this.current = undefined;
    }
    const wasmMs = performance.now() - wasmStarted;
    const instructions = meter.executed();
    const rolledBack = trap !== undefined || options.rollback === true;
    if (rolledBack) {
      snapshot.rollback();
      this.stable.rollback();
    } else {
      snapshot.commit();
      this.stable.commit();
      this.changeCount++;
      if (context.globalTimer !== undefined) this.globalTimer = context.globalTimer;
      if (context.certifiedData !== undefined && !equalBytes(context.certifiedData, this.certifiedData)) {
        this.certifiedData = context.certifiedData;
        this.hooks.certifiedDataChanged();
      }
    }
    const stats: ExecutionStats = {
      canisterId: this.idText,
      kind: input.kind,
      ...(input.methodName === undefined || input.kind === 'inspect_message' ? {} : { methodName: input.methodName }),
      instructions,
      cycles: instructions === undefined || !chargesCycles(input.kind) ? 0n : executionCycles(instructions),
      trapped: trap !== undefined,
      wasmMs,
      totalMs: performance.now() - started,
      heapBytes: this.loaded.memory.buffer.byteLength,
      copiedPages: snapshot.lastCopiedPages,
      rolledBack,
    };
    this.hooks.onExecution?.(stats);
    return { context, trap, instructions, stats };
  }

  /** Bytes of linear memory. */
  get heapBytes(): number {
    return this.loaded.memory.buffer.byteLength;
  }

  /** Bytes of the installed wasm module. */
  get wasmBytes(): number {
    return this.loaded.wasm.length;
  }

  /** The sha256 (hex) of the installed wasm. */
  get moduleHash(): string {
    return this.loaded.moduleHash;
  }

  /**
   * The canister's committed state as persistence reads it between executions. `heap` is a view of the live
   * memory: read it at once.
   */
  persistentState(settings: CanisterSettingsImage): LiveCanisterState {
    return {
      id: this.idBytes,
      moduleHash: this.loaded.moduleHash,
      wasm: this.loaded.wasm,
      heap: new Uint8Array(this.loaded.memory.buffer),
      globals: this.loaded.globals.map((global) => global.value as GlobalValue),
      stable: this.stable.checkpoint(),
      certifiedData: this.certifiedData,
      globalTimer: this.globalTimer,
      version: this.version,
      settings,
    };
  }

  /**
   * Puts persisted state into this freshly instantiated canister (whose module must be the image's): heap,
   * globals, stable memory, certified data, timer, version. Nothing runs: the canister continues exactly
   * where it was committed.
   */
  restoreState(image: CanisterImage): void {
    if (image.moduleHash !== this.loaded.moduleHash) {
      throw new IcWsError(ErrorCode.StateDirInvalid, `canister ${this.idText}: persisted state is for module ${image.moduleHash}, not ${this.loaded.moduleHash}`);
    }
    const { memory, globals, snapshot } = this.loaded;
    const pages = Math.ceil(image.heap.length / PAGE_SIZE);
    const current = memory.buffer.byteLength / PAGE_SIZE;
    if (pages > current) memory.grow(pages - current);
    const heap = new Uint8Array(memory.buffer);
    heap.set(image.heap);
    heap.fill(0, image.heap.length);
    if (globals.length !== image.globals.length) {
      throw new IcWsError(ErrorCode.StateDirInvalid, `canister ${this.idText}: persisted state has ${image.globals.length} globals, the module ${globals.length}`);
    }
    globals.forEach((global, index) => {
      global.value = image.globals[index];
    });
    snapshot.resync();
    this.stable.restore({ chunks: image.stableChunks, pages: image.stablePages });
    this.certifiedData = image.certifiedData.slice();
    this.globalTimer = image.globalTimer;
    this.version = image.version;
    this.controllers = image.settings.controllers.map((controller) => controller.slice());
  }

  private invoke(entry: EntryPoint): void {
    if ('export' in entry) {
      const fn = this.loaded.instance.exports[entry.export];
      if (typeof fn !== 'function') throw new CanisterTrap('contract-violation', `no export '${entry.export}'`);
      fn();
      return;
    }
    const fn: unknown = this.loaded.table?.get(entry.table);
    if (typeof fn !== 'function') throw new CanisterTrap('wasm-trap', `callback ${entry.table} is not a function`);
    fn(entry.env);
  }

  private load(wasm: Uint8Array): LoadedModule {
    const mode = this.hooks.heapRollback ?? 'dirty-pages';
    const compiled = compileCanisterModule(
      wasm,
      { trackWrites: mode !== 'full-copy', meter: this.hooks.metering ?? true },
      (message) => this.hooks.warn?.(message),
    );
    let memory: WebAssembly.Memory | undefined;
    const meter = new InstructionMeter();
    let dirtyPages: DirtyPageSnapshot | undefined;
    const ic0 = createIc0Imports({
      memory: () => memory!,
      context: () => {
        if (this.current === undefined) throw new CanisterTrap('contract-violation', 'System API called outside an execution');
        return this.current;
      },
      selfId: this.idBytes,
      stable: this.stable,
      version: () => this.version,
      isController: (principal) => this.controllers.some((controller) => equalBytes(controller, principal)),
      committedGlobalTimer: () => this.globalTimer,
      debugPrint: (message) => this.hooks.debugPrint(message),
      heapWritten: (start, length) => dirtyPages?.markWritten(start, length),
      meter,
    });
    let instance: WebAssembly.Instance;
    try {
      instance = new WebAssembly.Instance(compiled.module, { ic0 });
    } catch (error) {
      throw new IcWsError(ErrorCode.CanisterWasmInvalid, `cannot instantiate canister wasm: ${String(error)}`, {
        cause: error,
      });
    }
    const exported = instance.exports;
    if (!(exported.memory instanceof WebAssembly.Memory)) {
      throw new IcWsError(ErrorCode.CanisterWasmInvalid, 'canister wasm exports no memory');
    }
    memory = exported.memory;
    const { patched } = compiled;
    const table = patched.tableExport === undefined ? undefined : (exported[patched.tableExport] as WebAssembly.Table);
    const globals = patched.globalExports.map((name) => exported[name] as WebAssembly.Global);
    if (compiled.tracksWrites) {
      dirtyPages = new DirtyPageSnapshot(memory, globals, dirtyPageTracker(exported), mode === 'checked');
    }
    if (compiled.metered) {
      meter.attach(exported[INSTRUCTION_COUNTER_EXPORT] as WebAssembly.Global, exported[OUT_OF_INSTRUCTIONS_EXPORT] as WebAssembly.Global);
    }
    return {
      wasm,
      moduleHash: createHash('sha256').update(wasm).digest('hex'),
      instance,
      memory,
      table,
      globals,
      snapshot: dirtyPages ?? new HeapSnapshot(memory, globals),
      meter,
      exportNames: compiled.exportNames,
    };
  }
}

/** Whether an execution of `kind` is charged cycles: queries and inspect_message are free. */
function chargesCycles(kind: ExecutionInput['kind']): boolean {
  return kind !== 'query' && kind !== 'inspect_message';
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}
