import { candidError, type CandidReader } from './candid-reader';

// Type opcodes as signed LEB128 values (Candid spec).
export const T_NULL = -1;
export const T_BOOL = -2;
export const T_NAT = -3;
export const T_INT = -4;
export const T_NAT8 = -5;
export const T_NAT16 = -6;
export const T_NAT32 = -7;
export const T_NAT64 = -8;
export const T_INT8 = -9;
export const T_INT16 = -10;
export const T_INT32 = -11;
export const T_INT64 = -12;
export const T_FLOAT32 = -13;
export const T_FLOAT64 = -14;
export const T_TEXT = -15;
export const T_RESERVED = -16;
export const T_EMPTY = -17;
export const T_OPT = -18;
export const T_VEC = -19;
export const T_RECORD = -20;
export const T_VARIANT = -21;
export const T_FUNC = -22;
export const T_SERVICE = -23;
export const T_PRINCIPAL = -24;

/**
 * One entry of a message's type table: its opcode, the type references it holds and, for records and
 * variants, the field ids (`ids[i]` names `refs[i]`).
 */
export interface TypeTableEntry {
  op: number;
  refs: number[];
  ids: number[];
}

/**
 * Reads the `DIDL` magic and the type table, leaving `reader` at the argument count. Throws
 * `ProtocolError(CANDID_DECODE)` for a table that cannot be read, a reference outside it or to a constructor
 * or future opcode instead of a primitive type, a func annotation other than query (1), oneway (2) or
 * composite_query (3), a service method whose type is not a func entry (each as @dfinity/candid refuses it),
 * record or variant fields not in strictly increasing id order, or a vector of a zero-sized type (@dfinity/candid 3.4.3 decodes
 * `vec null` by pushing one element per declared length without consuming input, so 60 hostile bytes
 * declaring 2^32 elements abort the whole process with a fatal "invalid size" error that no `try` can catch).
 * The parse is linear in the input and allocates one small array per table entry.
 */
export function readTypeTable(reader: CandidReader): TypeTableEntry[] {
  const { bytes } = reader;
  if (bytes.length < 4 || bytes[0] !== 0x44 || bytes[1] !== 0x49 || bytes[2] !== 0x44 || bytes[3] !== 0x4c) {
    throw candidError('missing DIDL magic');
  }
  reader.pos = 4;
  const count = reader.leb();
  if (count > bytes.length) throw candidError('type table longer than the input');
  const table: TypeTableEntry[] = [];
  for (let i = 0; i < count; i++) table.push(readEntry(reader));
  for (const entry of table) {
    for (const ref of entry.refs) {
      if (ref >= count) throw candidError(`type reference ${ref} outside the table`);
      if (ref < 0 && !isPrimitiveType(ref)) throw candidError(`type opcode ${ref} used as a type reference`);
    }
    if (entry.op === T_SERVICE && !entry.refs.every((ref) => table[ref]?.op === T_FUNC)) {
      throw candidError('service method not of a func type');
    }
    if (entry.op === T_VEC && isZeroSized(entry.refs[0] as number, table, new Set())) {
      throw candidError('vector of a zero-sized type');
    }
  }
  return table;
}

function readEntry(reader: CandidReader): TypeTableEntry {
  const op = reader.sleb();
  switch (op) {
    case T_OPT:
    case T_VEC:
      return { op, refs: [reader.sleb()], ids: [] };
    case T_RECORD:
    case T_VARIANT: {
      const n = reader.bounded(reader.leb());
      const refs: number[] = [];
      const ids: number[] = [];
      for (let k = 0; k < n; k++) {
        const id = reader.leb();
        if (id > 0xffff_ffff || (k > 0 && id <= ids[k - 1]!)) throw candidError('field ids not in increasing order');
        ids.push(id);
        refs.push(reader.sleb());
      }
      return { op, refs, ids };
    }
    case T_FUNC: {
      const refs: number[] = [];
      for (let part = 0; part < 2; part++) {
        const n = reader.bounded(reader.leb());
        for (let k = 0; k < n; k++) refs.push(reader.sleb());
      }
      const annotations = reader.bounded(reader.leb());
      for (let k = 0; k < annotations; k++) {
        const annotation = reader.leb();
        if (annotation < 1 || annotation > 3) throw candidError(`unknown func annotation ${annotation}`);
      }
      return { op, refs, ids: [] };
    }
    case T_SERVICE: {
      const n = reader.bounded(reader.leb());
      const refs: number[] = [];
      for (let k = 0; k < n; k++) {
        reader.skip(reader.bounded(reader.leb())); // method name
        refs.push(reader.sleb());
      }
      return { op, refs, ids: [] };
    }
    default:
      throw candidError(`type opcode ${op} cannot start a table entry`);
  }
}

/**
 * Whether a negative type reference names a primitive type (null .. empty, principal). The constructor
 * opcodes (opt .. service) only start table entries, and opcodes below principal are future types.
 */
export function isPrimitiveType(ref: number): boolean {
  return (ref <= T_NULL && ref >= T_EMPTY) || ref === T_PRINCIPAL;
}

/** Whether values of type `ref` may take zero bytes: null, reserved, empty, or records made only of those. */
function isZeroSized(ref: number, table: readonly TypeTableEntry[], seen: Set<number>): boolean {
  if (ref < 0) return ref === T_NULL || ref === T_RESERVED || ref === T_EMPTY;
  const entry = table[ref];
  if (entry === undefined || entry.op !== T_RECORD) return false;
  // A record that contains itself has no finite value; treat it as zero-sized, the safe answer.
  if (seen.has(ref)) return true;
  seen.add(ref);
  return entry.refs.every((field) => isZeroSized(field, table, seen));
}

/** The id of a record or variant field named `name` (Candid's field hash). */
export function candidFieldId(name: string): number {
  let hash = 0;
  for (const byte of new TextEncoder().encode(name)) hash = (hash * 223 + byte) >>> 0;
  return hash;
}
