import { describe, expect, it } from 'vitest';
import { GLOBAL_EXPORT_PREFIX, patchWasmExports, TABLE_EXPORT } from './wasm-patch';

/** A hand-assembled module: one table, an immutable and a mutable i32 global, memory, exported function `f`. */
function sampleModule(withExports = true): Uint8Array {
  const section = (id: number, body: number[]) => [id, body.length, ...body];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 0, 1, 0x7f]), // type 0: () -> i32
    ...section(3, [1, 0]), // function 0 has type 0
    ...section(4, [1, 0x70, 0x00, 1]), // table: funcref, min 1
    ...section(5, [1, 0x00, 1]), // memory: min 1 page
    ...section(6, [2, 0x7f, 0x00, 0x41, 7, 0x0b, 0x7f, 0x01, 0x41, 0x80, 0x01, 0x0b]), // globals: const 7, mut 128
    ...(withExports ? section(7, [1, 1, 0x66, 0x00, 0]) : []), // export "f" = func 0
    ...section(10, [1, 4, 0, 0x23, 1, 0x0b]), // f returns global 1
  ]);
}

describe('patchWasmExports', () => {
  it('exports the table and the mutable globals next to the existing exports', () => {
    const patched = patchWasmExports(sampleModule());
    expect(patched.tableExport).toBe(TABLE_EXPORT);
    expect(patched.globalExports).toEqual([`${GLOBAL_EXPORT_PREFIX}1`]);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(patched.wasm as Uint8Array<ArrayBuffer>));
    expect(instance.exports[TABLE_EXPORT]).toBeInstanceOf(WebAssembly.Table);
    const global = instance.exports[`${GLOBAL_EXPORT_PREFIX}1`] as WebAssembly.Global;
    expect(global.value).toBe(128);
    global.value = 5;
    expect((instance.exports.f as () => number)()).toBe(5);
  });

  it('adds an export section when the module has none', () => {
    const patched = patchWasmExports(sampleModule(false));
    const names = WebAssembly.Module.exports(new WebAssembly.Module(patched.wasm as Uint8Array<ArrayBuffer>)).map((e) => e.name);
    expect(names).toEqual([TABLE_EXPORT, `${GLOBAL_EXPORT_PREFIX}1`]);
  });

  it('rejects bytes that are not a wasm module', () => {
    expect(() => patchWasmExports(Uint8Array.from([0x1f, 0x8b, 0, 0, 0, 0, 0, 0]))).toThrow(RangeError);
    expect(() => patchWasmExports(sampleModule().subarray(0, 20))).toThrow(RangeError);
  });
});
