/**
 * Adds exports to a wasm module so the host can snapshot and restore what a trap may leave corrupted and call
 * reply callbacks: Rust canisters export neither their function table nor their mutable globals (the stack
 * pointer among them). Only the export section is rewritten; code and data are copied unchanged.
 */
import { countImports, encodeName, leb, Reader, readSections, SectionId, type Section } from './wasm-reader';

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

const { Import: SECTION_IMPORT, Table: SECTION_TABLE, Global: SECTION_GLOBAL, Export: SECTION_EXPORT } = SectionId;
const KIND_TABLE = 1;
const KIND_GLOBAL = 3;

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
