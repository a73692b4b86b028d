/**
 * Turns canister wasm into a compiled module the devnet can run: exports patched in (table, mutable globals)
 * and, as asked, memory writes instrumented (dirty-page rollback) and instructions metered. Rewriting and
 * compiling a 3.5 MB Azle module takes a few hundred ms, so compiled modules are cached by content hash and
 * options: tests and benchmarks install the same wasm often.
 */
import { createHash } from 'node:crypto';
import { ErrorCode, IcWsError } from 'ic-ws-protocol';
import { instrumentModule, type InstrumentOptions } from './instrument-module';
import { patchWasmExports, type PatchedWasm } from './wasm-patch';

/** A compiled canister module. */
export interface CanisterModule {
  readonly module: WebAssembly.Module;
  readonly patched: PatchedWasm;
  /** Whether memory writes are instrumented (dirty page tracking available). */
  readonly tracksWrites: boolean;
  /** Whether instructions are metered (the counter and out-of-instructions flag are exported). */
  readonly metered: boolean;
  readonly exportNames: ReadonlySet<string>;
}

/** Compiled modules are kept for the most recent wasm files only: each holds a few MB. */
const CACHE_SIZE = 8;
const cache = new Map<string, CanisterModule>();

/**
 * Compiles `wasm` with the instrumentation `options` ask for. When the module uses instructions the rewriter
 * does not know, it is compiled without any and `warn` says why (the caller then copies whole heaps and
 * cannot count instructions).
 * @throws IcWsError `CANISTER_WASM_INVALID` when the wasm cannot be patched or compiled at all.
 */
export function compileCanisterModule(wasm: Uint8Array, options: InstrumentOptions, warn: (message: string) => void): CanisterModule {
  const key = `${options.trackWrites ? 'w' : '-'}${options.meter ? 'm' : '-'}:${createHash('sha256').update(wasm).digest('hex')}`;
  const cached = cache.get(key);
  if (cached !== undefined) {
    // Refresh its position: the map's order is the eviction order.
    cache.delete(key);
    cache.set(key, cached);
    return cached;
  }
  let patched: PatchedWasm;
  try {
    patched = patchWasmExports(wasm);
  } catch (error) {
    throw new IcWsError(ErrorCode.CanisterWasmInvalid, `invalid canister wasm: ${String(error)}`, { cause: error });
  }
  let compiled: CanisterModule | undefined;
  if (options.trackWrites || options.meter) {
    try {
      const instrumented = new WebAssembly.Module(instrumentModule(patched.wasm, options).wasm as Uint8Array<ArrayBuffer>);
      compiled = { module: instrumented, patched, tracksWrites: options.trackWrites, metered: options.meter, exportNames: exportNames(instrumented) };
    } catch (error) {
      warn(`cannot instrument the canister wasm (${String(error)}); running it without heap write tracking and instruction metering`);
    }
  }
  if (compiled === undefined) {
    let module: WebAssembly.Module;
    try {
      module = new WebAssembly.Module(patched.wasm as Uint8Array<ArrayBuffer>);
    } catch (error) {
      throw new IcWsError(ErrorCode.CanisterWasmInvalid, `invalid canister wasm: ${String(error)}`, { cause: error });
    }
    compiled = { module, patched, tracksWrites: false, metered: false, exportNames: exportNames(module) };
  }
  cache.set(key, compiled);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return compiled;
}

function exportNames(module: WebAssembly.Module): ReadonlySet<string> {
  return new Set(WebAssembly.Module.exports(module).map((entry) => entry.name));
}
