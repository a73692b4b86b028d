/**
 * The hook instrumented canisters call to mark a 64 KiB heap page dirty: a tiny wasm module whose `mark(page)`
 * sets byte `page` of its own one-page memory. The host reads and clears that bitmap as a plain `Uint8Array`.
 * Being wasm, the canister reaches it through `call_indirect` without leaving wasm.
 */

/**
 * (module
 *   (memory (export "pages") 1)
 *   (func (export "mark") (param i32) (i32.store8 (local.get 0) (i32.const 1))))
 */
const PAGE_MARKER_WASM = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x05, 0x01, 0x60, 0x01, 0x7f, 0x00, // type (i32) -> ()
  0x03, 0x02, 0x01, 0x00, // one function of type 0
  0x05, 0x03, 0x01, 0x00, 0x01, // memory: 1 page, no maximum
  0x07, 0x10, 0x02, 0x04, 0x6d, 0x61, 0x72, 0x6b, 0x00, 0x00, 0x05, 0x70, 0x61, 0x67, 0x65, 0x73, 0x02, 0x00,
  0x0a, 0x0b, 0x01, 0x09, 0x00, 0x20, 0x00, 0x41, 0x01, 0x3a, 0x00, 0x00, 0x0b, // local.get 0; i32.const 1; i32.store8
]);

let compiled: WebAssembly.Module | undefined;

/** One canister instance's dirty page bitmap and the wasm function that sets it. */
export interface PageMarker {
  /** `(page: number) => void`, to be put into the canister's hook table. */
  readonly mark: WebAssembly.ExportValue;
  /** One byte per 64 KiB page of a 4 GiB memory; non-zero = dirty. */
  readonly bitmap: Uint8Array;
}

/** Creates a fresh, all-clean bitmap. */
export function createPageMarker(): PageMarker {
  compiled ??= new WebAssembly.Module(PAGE_MARKER_WASM);
  const instance = new WebAssembly.Instance(compiled);
  const pages = instance.exports.pages as WebAssembly.Memory;
  return { mark: instance.exports.mark!, bitmap: new Uint8Array(pages.buffer) };
}
