import { candidError, type CandidReader } from './candid-reader';
import {
  T_BOOL,
  T_EMPTY,
  T_FLOAT32,
  T_FLOAT64,
  T_INT,
  T_INT16,
  T_INT32,
  T_INT64,
  T_INT8,
  T_NAT,
  T_NAT16,
  T_NAT32,
  T_NAT64,
  T_NAT8,
  T_NULL,
  T_OPT,
  T_PRINCIPAL,
  T_RECORD,
  T_RESERVED,
  T_TEXT,
  T_VARIANT,
  T_VEC,
  type TypeTableEntry,
} from './candid-type-table';

/** Thrown by {@link skipCandidValue} for a value it does not walk (func, service): the caller decodes generically. */
export class UnsupportedWireType extends Error {}

/** Limits of one skip: a vector can declare many elements that take no bytes, so elements are counted. */
export interface SkipBudget {
  /** Vector elements that may still be walked; the reply's byte length is a generous start. */
  elementBudget: number;
}

// Nesting deeper than this is hostile (or a recursive type with a deep value): refuse it before the stack does.
const MAX_DEPTH = 64;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Bytes taken by a fixed-width primitive: nat16/int16 = 2, nat32/int32/float32 = 4, 64-bit = 8. */
function fixedWidth(ref: number): number | undefined {
  if (ref === T_NAT8 || ref === T_INT8) return 1;
  if (ref === T_NAT16 || ref === T_INT16) return 2;
  if (ref === T_NAT32 || ref === T_INT32 || ref === T_FLOAT32) return 4;
  if (ref === T_NAT64 || ref === T_INT64 || ref === T_FLOAT64) return 8;
  return undefined;
}

/**
 * Moves `reader` past one value of wire type `ref`, checking it as the generic decoder would (bools 0 or 1,
 * text UTF-8, opt and principal flags, variant indexes), without building it. Used for record fields the
 * reader does not need.
 * @throws ProtocolError `CANDID_DECODE`; {@link UnsupportedWireType} for func and service values.
 */
export function skipCandidValue(reader: CandidReader, ref: number, table: readonly TypeTableEntry[], budget: SkipBudget, depth = 0): void {
  if (depth > MAX_DEPTH) throw candidError('value nested too deeply');
  const width = fixedWidth(ref);
  if (width !== undefined) return reader.skip(width);
  switch (ref) {
    case T_NULL:
    case T_RESERVED:
      return;
    case T_BOOL:
      if (reader.byte() > 1) throw candidError('bool byte not 0 or 1');
      return;
    case T_NAT:
    case T_INT:
      // Both LEB128 forms end at the first byte without the high bit.
      while ((reader.byte() & 0x80) !== 0) {
        // Continuation bytes: keep reading.
      }
      return;
    case T_TEXT:
      try {
        UTF8.decode(reader.view(reader.leb()));
      } catch (error) {
        if (error instanceof TypeError) throw candidError('text is not UTF-8');
        throw error;
      }
      return;
    case T_EMPTY:
      throw candidError('a value of type empty');
    case T_PRINCIPAL:
      if (reader.byte() !== 1) throw candidError('principal reference is not an id');
      reader.skip(reader.leb());
      return;
  }
  const entry = ref >= 0 ? table[ref] : undefined;
  if (entry === undefined) throw candidError(`type ${ref} in a value`);
  switch (entry.op) {
    case T_OPT: {
      const flag = reader.byte();
      if (flag > 1) throw candidError('opt flag not 0 or 1');
      if (flag === 1) skipCandidValue(reader, entry.refs[0]!, table, budget, depth + 1);
      return;
    }
    case T_VEC: {
      const count = reader.leb();
      const inner = entry.refs[0]!;
      const innerWidth = fixedWidth(inner);
      if (innerWidth !== undefined) return reader.skip(count * innerWidth);
      budget.elementBudget -= count;
      if (budget.elementBudget < 0) throw candidError('more vector elements than the reply can hold');
      for (let i = 0; i < count; i++) skipCandidValue(reader, inner, table, budget, depth + 1);
      return;
    }
    case T_RECORD:
      for (const field of entry.refs) skipCandidValue(reader, field, table, budget, depth + 1);
      return;
    case T_VARIANT: {
      const index = reader.leb();
      if (index >= entry.refs.length) throw candidError(`variant index ${index} out of range`);
      return skipCandidValue(reader, entry.refs[index]!, table, budget, depth + 1);
    }
    default:
      throw new UnsupportedWireType(`type opcode ${entry.op}`);
  }
}
