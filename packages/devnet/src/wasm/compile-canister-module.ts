/**
 * Turns canister wasm into a compiled module the devnet can run: exports patched in (table, mutable globals)
 * and, for the `'dirty-pages'` rollback, memory writes instrumented. Rewriting a 3.5 MB Azle module takes
 * ~150 ms, so compiled modules are cached by content hash: tests and benchmarks install the same wasm often.
 */
import { createHash } from 'node:crypto';
import { ErrorCode, IcWsError } from 'ic-ws-protocol';
import { instrumentMemoryWrites } from './memory-write-instrumentation';
import { patchWasmExports, type PatchedWasm } from './wasm-patch';

/** A compiled canister module. */
export interface CanisterModule {
  readonly module: WebAssembly.Module;
  readonly patched: PatchedWasm;
  /** Whether memory writes are instrumented (dirty page tracking available). */
  readonly tracksWrites: boolean;
  readonly exportNames: ReadonlySet<string>;
}

/** Compiled modules are kept for the most recent wasm files only: each holds a few MB. */
const CACHE_SIZE = 8;
const cache = new Map<string, CanisterModule>();

/**
 * Compiles `wasm`, with memory writes instrumented when `trackWrites` is set. When the module uses instructions
 * the rewriter does not know, it is compiled without that instrumentation and `warn` says why (the caller then
 * copies whole heaps).
 * @throws IcWsError `CANISTER_WASM_INVALID` when the wasm cannot be patched or compiled at all.
 */
export function compileCanisterModule(wasm: Uint8Array, trackWrites: boolean, warn: (message: string) => void): CanisterModule {
  const instrument = trackWrites;
  const key = `${instrument ? 'tracked' : 'plain'}:${createHash('sha256').update(wasm).digest('hex')}`;
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
  if (instrument) {
    try {
      const tracked = new WebAssembly.Module(instrumentMemoryWrites(patched.wasm).wasm as Uint8Array<ArrayBuffer>);
      compiled = { module: tracked, patched, tracksWrites: true, exportNames: exportNames(tracked) };
    } catch (error) {
      warn(`cannot track heap writes (${String(error)}); rolling back by copying the whole heap instead`);
    }
  }
  if (compiled === undefined) {
    let module: WebAssembly.Module;
    try {
      module = new WebAssembly.Module(patched.wasm as Uint8Array<ArrayBuffer>);
    } catch (error) {
      throw new IcWsError(ErrorCode.CanisterWasmInvalid, `invalid canister wasm: ${String(error)}`, { cause: error });
    }
    compiled = { module, patched, tracksWrites: false, exportNames: exportNames(module) };
  }
  cache.set(key, compiled);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return compiled;
}

function exportNames(module: WebAssembly.Module): ReadonlySet<string> {
  return new Set(WebAssembly.Module.exports(module).map((entry) => entry.name));
}
