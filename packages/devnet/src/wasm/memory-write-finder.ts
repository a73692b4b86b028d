/**
 * Finds the instructions of a function body that write linear memory: the nine stores and the bulk memory
 * operations (`memory.fill`, `memory.copy`, `memory.init`). Walking a body means knowing every opcode's
 * immediates; an opcode outside the set below (SIMD, atomics, exceptions, GC) throws, so the caller falls
 * back to full heap copies rather than missing a write.
 */
import type { Reader } from './wasm-reader';

/** Value types of the stores. */
export const I32 = 0x7f;
export const I64 = 0x7e;
export const F32 = 0x7d;
export const F64 = 0x7c;

/** An instruction that writes memory, by byte offsets in the module. */
export type MemoryWrite =
  | { kind: 'store'; valueType: number; start: number; end: number }
  | { kind: 'bulk'; start: number; end: number };

/** Value type of the stores 0x36..0x3e. */
const STORE_VALUE_TYPES = [I32, I64, F32, F64, I32, I32, I64, I64, I64];

/** Thrown when a body uses an instruction the finder does not know. */
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

/** Walks the instructions from `reader.pos` to `end` and returns those that write memory, in order. */
export function findMemoryWrites(reader: Reader, end: number): MemoryWrite[] {
  const writes: MemoryWrite[] = [];
  while (reader.pos < end) {
    const start = reader.pos;
    const op = reader.u8();
    if (op >= 0x36 && op <= 0x3e) {
      skipMemarg(reader);
      writes.push({ kind: 'store', valueType: STORE_VALUE_TYPES[op - 0x36]!, start, end: reader.pos });
    } else if (op >= 0x28 && op <= 0x35) skipMemarg(reader);
    else if (op === 0xfc) skipPrefixed(reader, start, writes);
    else skipPlain(reader, op);
  }
  if (reader.pos !== end) throw new RangeError('wasm: function body overruns its size');
  return writes;
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

/** Skips a 0xfc-prefixed instruction, recording the bulk memory writes. */
function skipPrefixed(reader: Reader, start: number, writes: MemoryWrite[]): void {
  const sub = reader.u32();
  if (sub <= 7) return; // saturating truncations
  switch (sub) {
    case 8: // memory.init data memory
    case 10: // memory.copy dst src
      reader.u32();
      reader.u32();
      writes.push({ kind: 'bulk', start, end: reader.pos });
      return;
    case 11: // memory.fill memory
      reader.u32();
      writes.push({ kind: 'bulk', start, end: reader.pos });
      return;
    case 9: // data.drop
    case 13: // elem.drop
    case 15: // table.grow
    case 16: // table.size
    case 17: // table.fill
      reader.u32();
      return;
    case 12: // table.init
    case 14: // table.copy
      reader.u32();
      reader.u32();
      return;
    default:
      throw new UnsupportedInstruction(`wasm: unsupported opcode 0xfc ${sub} at ${start}`);
  }
}
