/**
 * Tells which instructions write linear memory: the nine stores and the bulk memory operations
 * (`memory.fill`, `memory.copy`, `memory.init`).
 */
import { PREFIXED } from './instruction-walker';

/** Value types of the stores. */
export const I32 = 0x7f;
export const I64 = 0x7e;
export const F32 = 0x7d;
export const F64 = 0x7c;

const MEMORY_INIT = PREFIXED + 8;
const MEMORY_COPY = PREFIXED + 10;
const MEMORY_FILL = PREFIXED + 11;

/** Value type of the stores 0x36..0x3e. */
const STORE_VALUE_TYPES = [I32, I64, F32, F64, I32, I32, I64, I64, I64];

/** Whether the instruction with key `op` (see `walkInstructions`) writes memory. */
export function isMemoryWrite(op: number): boolean {
  return (op >= 0x36 && op <= 0x3e) || op === MEMORY_INIT || op === MEMORY_COPY || op === MEMORY_FILL;
}

/** The value type a store writes, or undefined for a bulk write. */
export function storedValueType(op: number): number | undefined {
  return STORE_VALUE_TYPES[op - 0x36];
}
