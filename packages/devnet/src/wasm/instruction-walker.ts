/**
 * Walks the instructions of a function body, the one thing every rewriter of canister code needs: knowing each
 * opcode's immediates. The set covers the MVP, sign extension, saturating truncation, bulk memory, reference
 * types and tail calls; anything else (SIMD, atomics, exceptions, GC) throws `UnsupportedInstruction`, so a
 * rewriter refuses a module rather than mis-reading it.
 */
import type { Reader } from './wasm-reader';

/** Key of a 0xfc-prefixed instruction: `PREFIXED + sub-opcode`. One-byte opcodes are their own key. */
export const PREFIXED = 0x100;
/** Keys are below this: one-byte opcodes, then the 18 prefixed ones. */
export const KEY_COUNT = PREFIXED + 18;

/** Called once per instruction with its key and its byte range `[start, end)` in the module. */
export type InstructionVisitor = (op: number, start: number, end: number) => void;

/** Thrown when a body uses an instruction the walker does not know. */
export class UnsupportedInstruction extends RangeError {
  override readonly name = 'UnsupportedInstruction';
}

function skipMemarg(reader: Reader): void {
  const align = reader.u32();
  // Multi-memory encodes a memory index after flag bit 6.
  if ((align & 0x40) !== 0) reader.u32();
  reader.u32();
}

function skipBlockType(reader: Reader): void {
  const first = reader.bytes[reader.pos];
  if (first === 0x40 || (first !== undefined && first >= 0x6f && first <= 0x7f)) reader.pos++;
  else reader.skipLeb(); // s33 type index
}

/**
 * Visits the instructions from `reader.pos` (just past the locals) to `end`, in order.
 * @throws UnsupportedInstruction for an opcode outside the supported set; RangeError for a truncated body.
 */
export function walkInstructions(reader: Reader, end: number, visit: InstructionVisitor): void {
  while (reader.pos < end) {
    const start = reader.pos;
    const op = reader.u8();
    if (op >= 0x28 && op <= 0x3e) {
      skipMemarg(reader);
      visit(op, start, reader.pos);
    } else if (op === 0xfc) {
      visit(PREFIXED + skipPrefixed(reader, start), start, reader.pos);
    } else {
      skipPlain(reader, op);
      visit(op, start, reader.pos);
    }
  }
  if (reader.pos !== end) throw new RangeError('wasm: function body overruns its size');
}

/** Skips the locals declaration at the start of a body. */
export function skipLocals(reader: Reader): void {
  for (let entries = reader.u32(); entries > 0; entries--) {
    reader.u32();
    reader.u8();
  }
}

/** Skips the immediates of a one-byte opcode that is neither a load nor a store. */
function skipPlain(reader: Reader, op: number): void {
  if (op <= 0x01 || op === 0x05 || op === 0x0b || op === 0x0f || op === 0x1a || op === 0x1b || op === 0xd1) return;
  if (op >= 0x45 && op <= 0xc4) return; // numeric instructions, sign extension included
  switch (op) {
    case 0x02:
    case 0x03:
    case 0x04:
      skipBlockType(reader);
      return;
    case 0x0c:
    case 0x0d:
    case 0x10:
    case 0x12:
    case 0x20:
    case 0x21:
    case 0x22:
    case 0x23:
    case 0x24:
    case 0x25:
    case 0x26:
    case 0x3f:
    case 0x40:
    case 0xd2:
      reader.u32();
      return;
    case 0x0e: {
      const count = reader.u32();
      for (let i = 0; i <= count; i++) reader.u32();
      return;
    }
    case 0x11:
    case 0x13:
      reader.u32();
      reader.u32();
      return;
    case 0x1c: {
      const count = reader.u32();
      for (let i = 0; i < count; i++) reader.u8();
      return;
    }
    case 0x41:
    case 0x42:
    case 0xd0:
      reader.skipLeb();
      return;
    case 0x43:
      reader.skip(4);
      return;
    case 0x44:
      reader.skip(8);
      return;
    default:
      throw new UnsupportedInstruction(`wasm: unsupported opcode 0x${op.toString(16)} at ${reader.pos - 1}`);
  }
}

/** Skips a 0xfc-prefixed instruction's immediates; returns its sub-opcode. */
function skipPrefixed(reader: Reader, start: number): number {
  const sub = reader.u32();
  if (sub <= 7) return sub; // saturating truncations
  switch (sub) {
    case 8: // memory.init data memory
    case 10: // memory.copy dst src
    case 12: // table.init
    case 14: // table.copy
      reader.u32();
      reader.u32();
      return sub;
    case 9: // data.drop
    case 11: // memory.fill memory
    case 13: // elem.drop
    case 15: // table.grow
    case 16: // table.size
    case 17: // table.fill
      reader.u32();
      return sub;
    default:
      throw new UnsupportedInstruction(`wasm: unsupported opcode 0xfc ${sub} at ${start}`);
  }
}
