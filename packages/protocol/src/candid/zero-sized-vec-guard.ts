import { ErrorCode, ProtocolError } from '../errors';

/**
 * @dfinity/candid 3.4.3 decodes `vec null` (or a vector of any other zero-sized type) by pushing one element
 * per declared length without consuming input, so 60 hostile bytes declaring 2^32 elements abort the whole
 * process with a fatal "invalid size" error that no `try` can catch. The Rust decoder has a quota for this;
 * here we read the type table first and refuse any vector whose element type takes no bytes.
 * The parse is linear in the input and allocates one small array per table entry.
 */

// Type opcodes as signed LEB128 values (Candid spec).
const T_NULL = -1;
const T_RESERVED = -16;
const T_EMPTY = -17;
const T_OPT = -18;
const T_VEC = -19;
const T_RECORD = -20;
const T_VARIANT = -21;
const T_FUNC = -22;
const T_SERVICE = -23;

/** A table entry: its opcode and the type references it holds (fields for records). */
interface Entry {
  op: number;
  refs: number[];
}

/**
 * Throws `ProtocolError(CANDID_DECODE)` when `bytes` is not a Candid message whose type table can be read,
 * or when the table declares a vector of a zero-sized type. Leaves every other check to `IDL.decode`.
 */
export function assertNoZeroSizedVectors(bytes: Uint8Array): void {
  const reader = new Reader(bytes);
  if (bytes.length < 4 || bytes[0] !== 0x44 || bytes[1] !== 0x49 || bytes[2] !== 0x44 || bytes[3] !== 0x4c) {
    throw fail('missing DIDL magic');
  }
  reader.pos = 4;
  const count = reader.leb();
  if (count > bytes.length) throw fail('type table longer than the input');
  const table: Entry[] = [];
  for (let i = 0; i < count; i++) table.push(readEntry(reader));
  for (const entry of table) {
    for (const ref of entry.refs) {
      if (ref >= count) throw fail(`type reference ${ref} outside the table`);
    }
    if (entry.op === T_VEC && isZeroSized(entry.refs[0] as number, table, new Set())) {
      throw fail('vector of a zero-sized type');
    }
  }
}

function readEntry(reader: Reader): Entry {
  const op = reader.sleb();
  switch (op) {
    case T_OPT:
    case T_VEC:
      return { op, refs: [reader.sleb()] };
    case T_RECORD:
    case T_VARIANT: {
      const n = reader.bounded(reader.leb());
      const refs: number[] = [];
      for (let k = 0; k < n; k++) {
        reader.leb(); // field hash
        refs.push(reader.sleb());
      }
      return { op, refs };
    }
    case T_FUNC: {
      const refs: number[] = [];
      for (let part = 0; part < 2; part++) {
        const n = reader.bounded(reader.leb());
        for (let k = 0; k < n; k++) refs.push(reader.sleb());
      }
      reader.skip(reader.bounded(reader.leb())); // annotations, one byte each
      return { op, refs };
    }
    case T_SERVICE: {
      const n = reader.bounded(reader.leb());
      const refs: number[] = [];
      for (let k = 0; k < n; k++) {
        reader.skip(reader.bounded(reader.leb())); // method name
        refs.push(reader.sleb());
      }
      return { op, refs };
    }
    default:
      throw fail(`type opcode ${op} cannot start a table entry`);
  }
}

/** Whether values of type `ref` may take zero bytes: null, reserved, empty, or records made only of those. */
function isZeroSized(ref: number, table: readonly Entry[], seen: Set<number>): boolean {
  if (ref < 0) return ref === T_NULL || ref === T_RESERVED || ref === T_EMPTY;
  const entry = table[ref];
  if (entry === undefined || entry.op !== T_RECORD) return false;
  // A record that contains itself has no finite value; treat it as zero-sized, the safe answer.
  if (seen.has(ref)) return true;
  seen.add(ref);
  return entry.refs.every((field) => isZeroSized(field, table, seen));
}

class Reader {
  pos = 0;
  constructor(private readonly bytes: Uint8Array) {}

  leb(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = this.byte();
      if (shift < 53) result += (byte & 0x7f) * 2 ** shift;
      else if ((byte & 0x7f) !== 0) throw fail('LEB128 value too large');
      if ((byte & 0x80) === 0) return result;
      shift += 7;
    }
  }

  sleb(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = this.byte();
      if (shift < 53) result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if ((byte & 0x80) === 0) {
        if (byte & 0x40 && shift < 60) result -= 2 ** shift;
        return result;
      }
    }
  }

  /** A count can never exceed the bytes left, since each counted item takes at least one byte. */
  bounded(n: number): number {
    if (n > this.bytes.length - this.pos) throw fail('count longer than the input');
    return n;
  }

  skip(n: number): void {
    if (n > this.bytes.length - this.pos) throw fail('truncated type table');
    this.pos += n;
  }

  private byte(): number {
    const byte = this.bytes[this.pos++];
    if (byte === undefined) throw fail('truncated type table');
    return byte;
  }
}

function fail(why: string): ProtocolError {
  return new ProtocolError(ErrorCode.CandidDecode, `invalid Candid: ${why}`);
}
