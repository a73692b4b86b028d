import { describe, expect, it } from 'vitest';
import { compileCanisterModule } from '../wasm/compile-canister-module';
import { DirtyPageSnapshot, dirtyPageTracker, type DirtyPageTracker } from './dirty-page-snapshot';
import { instrumentModule } from '../wasm/instrument-module';
import { buildTestModule, type TestFunction } from '../wasm/test-module';
import { UnsupportedInstruction } from '../wasm/instruction-walker';

const PAGE = 65_536;

const STORE_OPCODES = [0x36, 0x37, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e];

/** Index of the `(i32 address, value)` type of a store opcode in the test module. */
function storeType(op: number): number {
  if (op === 0x38) return 5;
  if (op === 0x39) return 4;
  return op === 0x37 || op >= 0x3c ? 1 : 0;
}

/**
 * A module with one function per kind of memory write, a load, memory.grow and a mutable global:
 * types 0 (i32 i32)->(), 1 (i32 i64)->(), 2 (i32 i32 i32)->(), 3 (i32)->i32, 4 (i32 f64)->(), 5 (i32 f32)->().
 */
function testModule(extraBody?: number[]): Uint8Array {
  const functions: TestFunction[] = [
    ['store_i32', 0, [0x20, 0, 0x20, 1, 0x36, 2, 0]],
    ['store_i64_far', 1, [0x20, 0, 0x20, 1, 0x37, 3, 0x80, 0x80, 0x04]], // offset 65536
    ['fill', 2, [0x20, 0, 0x20, 1, 0x20, 2, 0xfc, 11, 0]],
    ['copy', 2, [0x20, 0, 0x20, 1, 0x20, 2, 0xfc, 10, 0, 0]],
    ['load', 3, [0x20, 0, 0x28, 2, 0]],
    ['grow', 3, [0x20, 0, 0x40, 0]],
    ['store_f64_and_byte', 4, [0x20, 0, 0x20, 1, 0x39, 3, 0, 0x20, 0, 0x41, 7, 0x3a, 0, 3]], // byte at addr + 3
    ['set_global', 3, [0x20, 0, 0x24, 0, 0x41, 0]],
    // One function per store opcode, value type by opcode: i32 (0x36, 0x3a, 0x3b), i64, f32 (0x38), f64 (0x39).
    ...STORE_OPCODES.map((op): TestFunction => [`store_${op.toString(16)}`, storeType(op), [0x20, 0, 0x20, 1, op, 0, 0]]),
    ...(extraBody ? [['extra', 3, extraBody] satisfies TestFunction] : []),
  ];
  const types = [
    [0x60, 2, 0x7f, 0x7f, 0],
    [0x60, 2, 0x7f, 0x7e, 0],
    [0x60, 3, 0x7f, 0x7f, 0x7f, 0],
    [0x60, 1, 0x7f, 1, 0x7f],
    [0x60, 2, 0x7f, 0x7c, 0],
    [0x60, 2, 0x7f, 0x7d, 0],
  ];
  return buildTestModule({ types, functions, memoryPages: 2, globals: [[0x7f, 0x01, 0x41, 0, 0x0b]] });
}

interface Loaded {
  exports: Record<string, (...args: never[]) => number>;
  memory: WebAssembly.Memory;
  global: WebAssembly.Global;
  tracker: DirtyPageTracker;
  snapshot: DirtyPageSnapshot;
  heap(): Uint8Array;
}

function load(): Loaded {
  const compiled = compileCanisterModule(testModule(), { trackWrites: true, meter: false }, (message) => {
    throw new Error(message);
  });
  expect(compiled.tracksWrites).toBe(true);
  const instance = new WebAssembly.Instance(compiled.module, {});
  const memory = instance.exports.memory as WebAssembly.Memory;
  const [globalName] = compiled.patched.globalExports;
  const global = instance.exports[globalName!] as WebAssembly.Global;
  const tracker = dirtyPageTracker(instance.exports);
  // Checked: every commit and rollback throws if memory and the committed copy differ anywhere.
  const snapshot = new DirtyPageSnapshot(memory, [global], tracker, true);
  return {
    exports: instance.exports as Loaded['exports'],
    memory,
    global,
    tracker,
    snapshot,
    heap: () => new Uint8Array(memory.buffer),
  };
}

const dirty = (tracker: DirtyPageTracker) => [...tracker.bitmap.keys()].filter((page) => tracker.bitmap[page] !== 0);

describe('memory write instrumentation', () => {
  it('instruments every store and bulk write and leaves loads alone', () => {
    expect(instrumentModule(testModule(), { trackWrites: true, meter: false }).writeSites).toBe(6 + STORE_OPCODES.length);
  });

  it.each(STORE_OPCODES.map((op) => [op.toString(16), op]))('marks the page of store opcode 0x%s', (_, op) => {
    const { exports, tracker, snapshot, heap } = load();
    const at = (3 * PAGE) / 2;
    const written = () => heap().subarray(at, at + 8).some((byte) => byte !== 0);
    snapshot.begin();
    exports[`store_${op.toString(16)}`]!(at as never, (storeType(op) === 1 ? 0x55n : 0x55) as never);
    expect(dirty(tracker)).toEqual([1]);
    expect(written()).toBe(true);
    snapshot.rollback();
    expect(written()).toBe(false);
  });

  it('marks exactly the pages each kind of write touches, offsets included', () => {
    const { exports, tracker, snapshot } = load();
    const cases: [() => void, number[]][] = [
      [() => exports.store_i32!(70_000 as never, 5 as never), [1]],
      [() => exports.store_i64_far!(10 as never, 9n as never), [1]],
      [() => exports.fill!((PAGE - 6) as never, 1 as never, 10 as never), [0, 1]],
      [() => exports.copy!(10 as never, PAGE as never, 4 as never), [0]],
      [() => exports.store_f64_and_byte!((PAGE + 8) as never, 1.5 as never), [1]],
      [() => exports.load!(PAGE as never), []],
    ];
    for (const [run, pages] of cases) {
      snapshot.begin();
      run();
      expect(dirty(tracker)).toEqual(pages);
      snapshot.commit();
      expect(dirty(tracker)).toEqual([]);
    }
  });

  it('rolls back heap writes, bulk writes and globals, and commits them', () => {
    const { exports, global, snapshot, heap } = load();
    snapshot.begin();
    exports.store_i32!(100 as never, 42 as never);
    snapshot.commit();
    snapshot.begin();
    exports.store_i32!(100 as never, 7 as never);
    exports.fill!(200 as never, 0xff as never, PAGE as never);
    exports.set_global!(99 as never);
    snapshot.rollback();
    expect(exports.load!(100 as never)).toBe(42);
    expect(heap()[PAGE + 100]).toBe(0);
    expect(global.value).toBe(0);
    expect(snapshot.lastCopiedPages).toBe(2);
  });

  it('rolls back a store straddling two pages (the spill past the marked page)', () => {
    const { exports, snapshot, heap } = load();
    snapshot.begin();
    // 8 bytes from PAGE - 4: only page 0 is marked; NaN's high bytes land in page 1.
    exports.store_f64_and_byte!((PAGE - 4) as never, Number.NaN as never);
    expect(heap()[PAGE + 3]).not.toBe(0);
    snapshot.rollback();
    expect(heap().subarray(PAGE - 8, PAGE + 8).every((byte) => byte === 0)).toBe(true);
  });

  it('zeroes pages grown by a rolled-back execution and keeps the memory size', () => {
    const { exports, snapshot, heap, memory } = load();
    snapshot.begin();
    expect(exports.grow!(1 as never)).toBe(2);
    exports.store_i32!((2 * PAGE + 12) as never, 77 as never);
    snapshot.rollback();
    expect(memory.buffer.byteLength).toBe(3 * PAGE);
    expect(heap()[2 * PAGE + 12]).toBe(0);
    snapshot.begin();
    exports.store_i32!((2 * PAGE + 12) as never, 78 as never);
    snapshot.commit();
    expect(exports.load!((2 * PAGE + 12) as never)).toBe(78);
  });

  it('marks what the host writes into the heap', () => {
    const { snapshot, tracker, heap } = load();
    snapshot.begin();
    snapshot.markWritten(PAGE - 2, 4);
    heap().set([1, 2, 3, 4], PAGE - 2);
    expect(dirty(tracker)).toEqual([0, 1]);
    snapshot.rollback();
    expect(heap().subarray(PAGE - 2, PAGE + 2).every((byte) => byte === 0)).toBe(true);
  });

  it('refuses instructions it does not know; compiling then falls back to whole-heap copies with a warning', () => {
    const simd = [0xfd, 12, ...new Array<number>(16).fill(0), 0x1a, 0x41, 0]; // v128.const 0; drop; i32.const 0
    expect(() => instrumentModule(testModule(simd), { trackWrites: true, meter: false })).toThrow(UnsupportedInstruction);
    const warnings: string[] = [];
    const compiled = compileCanisterModule(testModule(simd), { trackWrites: true, meter: false }, (message) => warnings.push(message));
    expect(compiled.tracksWrites).toBe(false);
    expect(warnings.join()).toMatch(/unsupported opcode 0xfd/);
  });
});
