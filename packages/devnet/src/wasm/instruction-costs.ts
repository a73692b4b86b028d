/**
 * What the replica charges for each wasm instruction of a 32-bit-memory module, and how its metering splits a
 * function body into blocks. Transcribed from `instruction_to_cost` and `injections` in dfinity/ic
 * `rs/embedders/src/wasm_utils/instrumentation.rs` (see docs/devnet.md, "Instruction metering"): block
 * markers cost 0, most integer and local instructions 1, branches and globals 2, calls 5 and 10, division 10,
 * `memory.grow` 300, bulk memory 100 plus one instruction per byte, charged at run time.
 */
import { KEY_COUNT, PREFIXED } from './instruction-walker';

/** Cost of each instruction by key (see `walkInstructions`); unlisted ones cost 1, the replica's default. */
export const INSTRUCTION_COSTS = new Uint16Array(KEY_COUNT).fill(1);

function set(cost: number, ...ops: number[]): void {
  for (const op of ops) INSTRUCTION_COSTS[op] = cost;
}
function range(first: number, last: number): number[] {
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}

set(0, 0x02, 0x03, 0x05, 0x0b); // block, loop, else, end
set(2, 0x04, 0x0c, 0x0d, 0x0e); // if, br, br_if, br_table
set(5, 0x10); // call
set(10, 0x11); // call_indirect
set(3, 0x12); // return_call
set(60, 0x13); // return_call_indirect
set(2, 0x23, 0x24); // global.get, global.set
set(5, 0x25, 0x26); // table.get, table.set
set(20, 0x3f); // memory.size
set(300, 0x40); // memory.grow
set(3, ...range(0x5b, 0x66)); // float comparisons
set(10, 0x6d, 0x6e, 0x6f, 0x70, 0x7f, 0x80, 0x81, 0x82); // integer division and remainder
set(2, 0x8d, 0x8e, 0x8f, 0x90, 0x92, 0x93, 0x94, 0x98); // f32 ceil..nearest, add, sub, mul, copysign
set(5, 0x91); // f32.sqrt
set(3, 0x95); // f32.div
set(18, 0x96, 0x97, 0xa4, 0xa5); // f32/f64 min, max
set(2, 0x9b, 0x9c, 0x9d, 0x9e, 0xa0, 0xa1, 0xa2); // f64 ceil..nearest, add, sub, mul
set(8, 0x9f); // f64.sqrt
set(5, 0xa3); // f64.div
set(3, 0xa6); // f64.copysign
set(20, ...range(0xa8, 0xab), ...range(0xae, 0xb1)); // float to integer truncations
set(3, 0xb2, 0xb4, 0xb7, 0xb9); // signed integer to float conversions
set(16, 0xb3, 0xb5, 0xb8, 0xba); // unsigned integer to float conversions
set(5, 0xd1); // ref.is_null
set(130, 0xd2); // ref.func

// The 0xfc-prefixed opcodes by sub-opcode: 0-7 saturating truncations, then bulk memory and tables.
[20, 20, 20, 20, 20, 20, 20, 20, 100, 300, 100, 100, 100, 300, 100, 300, 100, 100].forEach((cost, sub) => set(cost, PREFIXED + sub));

/** How an instruction shapes the metering of the code after it. */
export const enum BlockEffect {
  /** Straight-line code continues. */
  None,
  /** `loop`: the code after it is re-entrant; its block is charged with an out-of-instructions check. */
  StartsReentrant,
  /** `if`: the code after it is a new block entered at most once per pass. */
  StartsBlock,
  /** `else`, `end`, branches, `return`, `unreachable`, tail calls: the current block ends here. */
  EndsBlock,
  /** `memory.fill/copy/init`, `table.fill/copy/init`: charged one instruction per byte before running. */
  ChargesSize,
}

/** The `BlockEffect` of each instruction by key. */
export const BLOCK_EFFECTS = new Uint8Array(KEY_COUNT).fill(BlockEffect.None);
BLOCK_EFFECTS[0x03] = BlockEffect.StartsReentrant;
BLOCK_EFFECTS[0x04] = BlockEffect.StartsBlock;
// unreachable, else, end, br, br_if, br_table, return, return_call, return_call_indirect
for (const op of [0x00, 0x05, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x12, 0x13]) BLOCK_EFFECTS[op] = BlockEffect.EndsBlock;
// memory.init, memory.copy, memory.fill, table.init, table.copy, table.fill
for (const sub of [8, 10, 11, 12, 14, 17]) BLOCK_EFFECTS[PREFIXED + sub] = BlockEffect.ChargesSize;
