/**
 * Minimal wasm binary reading and writing shared by the module patchers: LEB128, names, the section list.
 */

/** Reads LEB128 values from a byte array; throws a RangeError on truncated input. */
export class Reader {
  constructor(
    readonly bytes: Uint8Array,
    public pos: number,
  ) {}

  u8(): number {
    const byte = this.bytes[this.pos++];
    if (byte === undefined) throw new RangeError('wasm: unexpected end of module');
    return byte;
  }

  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = this.u8();
      result |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result >>> 0;
      shift += 7;
      if (shift > 35) throw new RangeError('wasm: LEB128 too long');
    }
  }

  skip(count: number): void {
    this.pos += count;
    if (this.pos > this.bytes.length) throw new RangeError('wasm: unexpected end of module');
  }

  /** Skips a constant expression (terminated by `end`, 0x0b); globals' initialisers contain no nested blocks. */
  skipConstExpr(): void {
    for (;;) {
      const op = this.u8();
      if (op === 0x0b) return;
      if (op === 0x41 || op === 0x42 || op === 0x23 || op === 0xd2) this.skipLeb();
      else if (op === 0x43) this.skip(4);
      else if (op === 0x44) this.skip(8);
      else if (op === 0xd0) this.skip(1);
    }
  }

  /** Skips one LEB128 value, signed or unsigned. */
  skipLeb(): void {
    while ((this.u8() & 0x80) !== 0);
  }

  name(): string {
    const length = this.u32();
    const text = new TextDecoder().decode(this.bytes.subarray(this.pos, this.pos + length));
    this.pos += length;
    return text;
  }
}

/** Unsigned LEB128 of a u32. */
export function leb(value: number): number[] {
  const out: number[] = [];
  let rest = value >>> 0;
  do {
    let byte = rest & 0x7f;
    rest >>>= 7;
    if (rest !== 0) byte |= 0x80;
    out.push(byte);
  } while (rest !== 0);
  return out;
}

/** Signed LEB128 of an i32 (what `i32.const` takes). */
export function sleb(value: number): number[] {
  const out: number[] = [];
  let rest = value | 0;
  for (;;) {
    const byte = rest & 0x7f;
    rest >>= 7;
    if ((rest === 0 && (byte & 0x40) === 0) || (rest === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

/** A wasm name: length-prefixed UTF-8. */
export function encodeName(name: string): number[] {
  const bytes = new TextEncoder().encode(name);
  return [...leb(bytes.length), ...bytes];
}

/** Ids of the module sections the rewriters read or replace. */
export const SectionId = {
  Type: 1,
  Import: 2,
  Function: 3,
  Table: 4,
  Memory: 5,
  Global: 6,
  Export: 7,
  Code: 10,
} as const;

/** The order the spec requires of section ids (data count, 12, sits between elements and code). */
export const SECTION_ORDER: readonly number[] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 10, 11];

/** One section of a module, by byte offsets. */
export interface Section {
  readonly id: number;
  /** Offset of the section id byte. */
  readonly headerStart: number;
  readonly start: number;
  readonly end: number;
}

/** Lists the sections of a module; throws a RangeError when the magic is missing or a size is wrong. */
export function readSections(wasm: Uint8Array): Section[] {
  if (wasm.length < 8 || wasm[0] !== 0 || wasm[1] !== 0x61 || wasm[2] !== 0x73 || wasm[3] !== 0x6d) {
    throw new RangeError('wasm: missing \\0asm magic (gzipped modules are not supported)');
  }
  const reader = new Reader(wasm, 8);
  const sections: Section[] = [];
  while (reader.pos < wasm.length) {
    const headerStart = reader.pos;
    const id = reader.u8();
    const size = reader.u32();
    sections.push({ id, headerStart, start: reader.pos, end: reader.pos + size });
    reader.skip(size);
  }
  return sections;
}

/** Counts imported functions, tables and globals, which come first in their index spaces. */
export function countImports(wasm: Uint8Array, section: Section | undefined): { functions: number; tables: number; globals: number } {
  const counts = { functions: 0, tables: 0, globals: 0 };
  if (section === undefined) return counts;
  const reader = new Reader(wasm, section.start);
  const count = reader.u32();
  for (let i = 0; i < count; i++) {
    reader.name();
    reader.name();
    const kind = reader.u8();
    if (kind === 0) {
      reader.u32();
      counts.functions++;
    } else if (kind === 1) {
      reader.u8();
      const flags = reader.u8();
      reader.u32();
      if (flags & 1) reader.u32();
      counts.tables++;
    } else if (kind === 2) {
      const flags = reader.u8();
      reader.u32();
      if (flags & 1) reader.u32();
    } else if (kind === 3) {
      reader.u8();
      reader.u8();
      counts.globals++;
    } else throw new RangeError(`wasm: unknown import kind ${kind}`);
  }
  return counts;
}
