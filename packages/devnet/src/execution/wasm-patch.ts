/**
 * Adds exports to a wasm module so the host can snapshot and restore what a trap may leave corrupted and call
 * reply callbacks: Rust canisters export neither their function table nor their mutable globals (the stack
 * pointer among them). Only the export section is rewritten; code and data are copied unchanged.
 */

/** Name under which the patched module exports its function table (absent when the module has none). */
export const TABLE_EXPORT = '__ic_ws_table';
/** Prefix of the names under which the patched module exports its mutable globals. */
export const GLOBAL_EXPORT_PREFIX = '__ic_ws_global_';

/** The patched module and the names of what was added. */
export interface PatchedWasm {
  readonly wasm: Uint8Array;
  /** `TABLE_EXPORT` when table 0 exists and was exported, otherwise `undefined`. */
  readonly tableExport: string | undefined;
  /** Export names of every mutable global (imported ones excluded). */
  readonly globalExports: readonly string[];
}

const SECTION_IMPORT = 2;
const SECTION_TABLE = 4;
const SECTION_GLOBAL = 6;
const SECTION_EXPORT = 7;
const KIND_TABLE = 1;
const KIND_GLOBAL = 3;

/** Reads LEB128 values from a byte array; throws a RangeError on truncated input. */
class Reader {
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

function leb(value: number): number[] {
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

function encodeName(name: string): number[] {
  const bytes = new TextEncoder().encode(name);
  return [...leb(bytes.length), ...bytes];
}

interface Section {
  readonly id: number;
  /** Offset of the section id byte. */
  readonly headerStart: number;
  readonly start: number;
  readonly end: number;
}

function readSections(wasm: Uint8Array): Section[] {
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

/** Counts imported tables and globals, which come first in their index spaces. */
function countImports(wasm: Uint8Array, section: Section | undefined): { tables: number; globals: number } {
  const counts = { tables: 0, globals: 0 };
  if (section === undefined) return counts;
  const reader = new Reader(wasm, section.start);
  const count = reader.u32();
  for (let i = 0; i < count; i++) {
    reader.name();
    reader.name();
    const kind = reader.u8();
    if (kind === 0) reader.u32();
    else if (kind === KIND_TABLE) {
      reader.u8();
      const flags = reader.u8();
      reader.u32();
      if (flags & 1) reader.u32();
      counts.tables++;
    } else if (kind === 2) {
      const flags = reader.u8();
      reader.u32();
      if (flags & 1) reader.u32();
    } else if (kind === KIND_GLOBAL) {
      reader.u8();
      reader.u8();
      counts.globals++;
    } else throw new RangeError(`wasm: unknown import kind ${kind}`);
  }
  return counts;
}

function mutableGlobalIndices(wasm: Uint8Array, section: Section | undefined, importedGlobals: number): number[] {
  if (section === undefined) return [];
  const reader = new Reader(wasm, section.start);
  const count = reader.u32();
  const indices: number[] = [];
  for (let i = 0; i < count; i++) {
    reader.u8();
    const mutable = reader.u8() === 1;
    reader.skipConstExpr();
    if (mutable) indices.push(importedGlobals + i);
  }
  return indices;
}

/**
 * Returns a copy of `wasm` whose export section also exports table 0 and every mutable global.
 * @throws RangeError when the module is malformed.
 */
export function patchWasmExports(wasm: Uint8Array): PatchedWasm {
  if (wasm.length < 8 || wasm[0] !== 0 || wasm[1] !== 0x61 || wasm[2] !== 0x73 || wasm[3] !== 0x6d) {
    throw new RangeError('wasm: missing \\0asm magic (gzipped modules are not supported)');
  }
  const sections = readSections(wasm);
  const find = (id: number): Section | undefined => sections.find((section) => section.id === id);
  const imports = countImports(wasm, find(SECTION_IMPORT));
  const tableSection = find(SECTION_TABLE);
  const hasTable = imports.tables > 0 || (tableSection !== undefined && new Reader(wasm, tableSection.start).u32() > 0);
  const globals = mutableGlobalIndices(wasm, find(SECTION_GLOBAL), imports.globals);

  const added: number[] = [];
  let addedCount = 0;
  if (hasTable) {
    added.push(...encodeName(TABLE_EXPORT), KIND_TABLE, ...leb(0));
    addedCount++;
  }
  const globalExports = globals.map((index) => {
    const name = `${GLOBAL_EXPORT_PREFIX}${index}`;
    added.push(...encodeName(name), KIND_GLOBAL, ...leb(index));
    addedCount++;
    return name;
  });

  const exportSection = find(SECTION_EXPORT);
  let body: number[];
  if (exportSection === undefined) {
    body = [...leb(addedCount), ...added];
  } else {
    const reader = new Reader(wasm, exportSection.start);
    const count = reader.u32();
    body = [...leb(count + addedCount), ...wasm.subarray(reader.pos, exportSection.end), ...added];
  }
  const newSection = Uint8Array.from([SECTION_EXPORT, ...leb(body.length), ...body]);

  // Insert or replace at the position the spec's section order requires (after globals, before start/elements).
  const before = exportSection ?? sections.find((section) => section.id > SECTION_EXPORT && section.id !== 0);
  const cut = before === undefined ? wasm.length : before.headerStart;
  const resume = exportSection === undefined ? cut : exportSection.end;
  const out = new Uint8Array(cut + newSection.length + (wasm.length - resume));
  out.set(wasm.subarray(0, cut), 0);
  out.set(newSection, cut);
  out.set(wasm.subarray(resume), cut + newSection.length);
  return { wasm: out, tableExport: hasTable ? TABLE_EXPORT : undefined, globalExports };
}
