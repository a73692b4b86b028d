import { describe, expect, it } from 'vitest';
import { dirtyPageTracker } from '../execution/dirty-page-snapshot';
import { INSTRUCTION_COUNTER_EXPORT, OUT_OF_INSTRUCTIONS_EXPORT } from './instruction-metering';
import { instrumentModule, type InstrumentOptions } from './instrument-module';
import { buildTestModule, type TestFunction } from './test-module';

const I32 = 0x7f;
/**
 * Functions with hand-computed costs under the replica's metering (a function's entry block costs 1 plus its
 * instructions up to the first block boundary; see `metering-plan.ts`):
 * - `empty`: `end` = 1.
 * - `straight`: const, const, add, drop, end = 1 + 4 = 5.
 * - `countdown(n)`: entry (1, closed by `loop`), loop body get/const/sub/tee/br_if = 6 per pass: 1 + 6n.
 * - `branch(x)`: entry get + if = 1 + 1 + 2 = 4; then-arm const + drop + else = 2; else-arm 4 instructions = 4.
 * - `fill(n)`: 1 + const, const, get (3) + memory.fill (100) = 104, plus n charged before the fill runs.
 * - `calls`: 1 + two calls (5 each) = 11, plus `straight` twice = 21.
 * - `spin`: loops forever.
 */
function testModule(): Uint8Array {
  const types = [
    [0x60, 0, 0],
    [0x60, 1, I32, 0],
  ];
  const functions: TestFunction[] = [
    ['empty', 0, []],
    ['straight', 0, [0x41, 1, 0x41, 2, 0x6a, 0x1a]],
    ['countdown', 1, [0x03, 0x40, 0x20, 0, 0x41, 1, 0x6b, 0x22, 0, 0x0d, 0, 0x0b]],
    ['branch', 1, [0x20, 0, 0x04, 0x40, 0x41, 1, 0x1a, 0x05, 0x41, 2, 0x41, 3, 0x1a, 0x1a, 0x0b]],
    ['fill', 1, [0x41, 0, 0x41, 0, 0x20, 0, 0xfc, 11, 0]],
    ['calls', 0, [0x10, 1, 0x10, 1]],
    ['spin', 0, [0x03, 0x40, 0x0c, 0, 0x0b]],
  ];
  return buildTestModule({ types, functions, memoryPages: 1 });
}

const LIMIT = 1_000_000n;

function meteredInstance(options: InstrumentOptions) {
  const module = new WebAssembly.Module(instrumentModule(testModule(), options).wasm as Uint8Array<ArrayBuffer>);
  const instance = new WebAssembly.Instance(module, {});
  if (options.trackWrites) dirtyPageTracker(instance.exports);
  const counter = instance.exports[INSTRUCTION_COUNTER_EXPORT] as WebAssembly.Global;
  const outOfInstructions = instance.exports[OUT_OF_INSTRUCTIONS_EXPORT] as WebAssembly.Global;
  /** Runs `fn(arg)` with `limit` instructions; returns the instructions it used. */
  const run = (fn: string, arg = 0, limit = LIMIT): bigint => {
    counter.value = limit;
    outOfInstructions.value = 0;
    (instance.exports[fn] as (value: number) => void)(arg);
    return limit - (counter.value as bigint);
  };
  return { run, counter, outOfInstructions };
}

describe.each([
  { trackWrites: false, meter: true },
  { trackWrites: true, meter: true },
])('instruction metering (trackWrites: $trackWrites)', (options) => {
  it('charges straight-line code, calls and an empty function what the replica charges', () => {
    const { run } = meteredInstance(options);
    expect(run('empty')).toBe(1n);
    expect(run('straight')).toBe(5n);
    expect(run('calls')).toBe(21n);
  });

  it('charges each loop pass, and each arm of an if/else by its own cost', () => {
    const { run } = meteredInstance(options);
    expect(run('countdown', 1)).toBe(7n);
    expect(run('countdown', 1000)).toBe(6001n);
    expect(run('branch', 1)).toBe(6n);
    expect(run('branch', 0)).toBe(8n);
  });

  it('charges bulk memory one instruction per byte on top of its static cost', () => {
    const { run } = meteredInstance(options);
    expect(run('fill', 0)).toBe(104n);
    expect(run('fill', 60_000)).toBe(60_104n);
  });

  it('stops a loop that runs out of instructions and raises the out-of-instructions flag', () => {
    const { run, counter, outOfInstructions } = meteredInstance(options);
    expect(() => run('spin')).toThrow(WebAssembly.RuntimeError);
    expect(outOfInstructions.value).toBe(1);
    expect(counter.value as bigint).toBeLessThan(0n);
  });

  it('stops a bulk operation larger than what is left before it runs', () => {
    const { run, outOfInstructions } = meteredInstance(options);
    expect(() => run('fill', 65_536, 60_000n)).toThrow(WebAssembly.RuntimeError);
    expect(outOfInstructions.value).toBe(1);
  });
});

it('leaves every original instruction in place (only insertions and, with trackWrites, write calls)', () => {
  const plain = testModule();
  const metered = instrumentModule(plain, { trackWrites: false, meter: true });
  // Entry points of all 7 functions, the loop bodies of countdown and spin, both arms of branch, and the
  // size charge of fill.
  expect(metered.chargePoints).toBe(7 + 2 + 2 + 1);
  expect(metered.writeSites).toBe(0);
  expect(instrumentModule(plain, { trackWrites: true, meter: true }).writeSites).toBe(1);
});
