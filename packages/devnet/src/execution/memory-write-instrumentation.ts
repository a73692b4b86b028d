/**
 * Rewrites a wasm module so that it records which 64 KiB pages of its memory it writes. Every store is
 * preceded by a check of its page against the last page marked; a new page is handed to a hook function in
 * an added one-entry table, which the host fills with the `mark` export of a tiny helper module that sets a
 * byte per page in its own memory (a wasm-to-wasm call: far cheaper than a `table.set` or a call into JS).
 * Bulk operations mark their whole destination range. The host then copies only the marked pages to commit
 * or roll back an execution, instead of the whole heap.
 *
 * Added to the module (appended, so no existing index moves): two types, two functions (`mark(page)`,
 * `mark_range(dst, len)`), the hook table, two mutable i32 globals (the last two pages marked, -1 for none:
 * stores alternate between the stack's page and a heap page, so two cut the calls to the hook the most), and
 * exports of the table and the globals. Each instrumented function gets six scratch locals.
 */
import { F32, F64, findMemoryWrites, I32, I64 } from './memory-write-finder';
import { countImports, encodeName, leb, Reader, readSections, sleb, type Section } from './wasm-reader';

/** Export name of the one-entry table the host puts the page-marking hook (`(page: i32) => void`) into. */
export const MARK_HOOK_TABLE_EXPORT = '__ic_ws_mark_hook';
/** Export name of the last-marked-page global. */
export const LAST_PAGE_EXPORT = '__ic_ws_last_dirty_page';
/** Export name of the global holding the page marked before the last one. */
export const PREVIOUS_PAGE_EXPORT = '__ic_ws_previous_dirty_page';
/**
 * Bytes a store marked on its first page may spill into the next one (the widest store is 8 bytes): the host
 * copies this many bytes past each dirty page.
 */
export const STORE_SPILL = 16;

/** Section ids, and the order the spec requires (data count, 12, sits between elements and code). */
const TYPE = 1;
const FUNCTION = 3;
const TABLE = 4;
const GLOBAL = 6;
const EXPORT = 7;
const CODE = 10;
const SECTION_ORDER = [1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 10, 11];

/** Reads a vector section: its entry count and the raw bytes of its entries. */
function vectorSection(wasm: Uint8Array, section: Section | undefined): { count: number; entries: Uint8Array } {
  if (section === undefined) return { count: 0, entries: new Uint8Array(0) };
  const reader = new Reader(wasm, section.start);
  const count = reader.u32();
  return { count, entries: wasm.subarray(reader.pos, section.end) };
}

/** Parameter count of every function type. */
function paramCounts(wasm: Uint8Array, section: Section | undefined): number[] {
  if (section === undefined) return [];
  const reader = new Reader(wasm, section.start);
  const counts: number[] = [];
  for (let i = reader.u32(); i > 0; i--) {
    if (reader.u8() !== 0x60) throw new RangeError('wasm: only function types are supported');
    const params = reader.u32();
    reader.skip(params);
    reader.skip(reader.u32());
    counts.push(params);
  }
  return counts;
}

function functionTypes(wasm: Uint8Array, section: Section | undefined): number[] {
  if (section === undefined) return [];
  const reader = new Reader(wasm, section.start);
  const types: number[] = [];
  for (let i = reader.u32(); i > 0; i--) types.push(reader.u32());
  return types;
}

/** Growable byte buffer. */
class Writer {
  private buffer: Uint8Array;
  length = 0;

  constructor(capacity = 1 << 16) {
    this.buffer = new Uint8Array(capacity);
  }

  bytes(data: ArrayLike<number>): void {
    this.reserve(data.length);
    this.buffer.set(data, this.length);
    this.length += data.length;
  }

  result(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + extra));
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }
}

/** Indices the instrumentation code refers to. */
interface Targets {
  mark: number;
  markRange: number;
  lastPage: number;
  /** The hook table and the type `[i32] -> []` of the hook. */
  hookTable: number;
  hookType: number;
}

/**
 * Rewrites one function body (without its size prefix) into `out`; returns the number of writes instrumented,
 * 0 when the body writes no memory (and was copied unchanged).
 */
function instrumentBody(wasm: Uint8Array, start: number, end: number, params: number, targets: Targets, out: Writer): number {
  const reader = new Reader(wasm, start);
  const entryCount = reader.u32();
  const entriesStart = reader.pos;
  let locals = params;
  for (let i = 0; i < entryCount; i++) {
    locals += reader.u32();
    reader.u8();
  }
  const codeStart = reader.pos;
  const writes = findMemoryWrites(reader, end);
  if (writes.length === 0 || process.env.V === 'same') {
    out.bytes(wasm.subarray(start, end));
    return 0;
  }
  const [addr, page, i32, i64, f32, f64] = [0, 1, 2, 3, 4, 5].map((k) => locals + k) as [number, number, number, number, number, number];
  // The instruction sequences around a store differ only in the value's local and the offset: built once per body.
  const check = [
    0x41, 16, 0x76, // i32.const 16; i32.shr_u
    0x22, ...leb(page), // local.tee page
    0x23, ...leb(targets.lastPage), 0x47, 0x04, 0x40, // global.get last; i32.ne; if
    0x20, ...leb(page), 0x23, ...leb(targets.lastPage + 1), 0x47, 0x04, 0x40, // local.get page; global.get previous; i32.ne; if
    ...(process.env.V === 'nocall' ? [] : [0x20, ...leb(page), 0x10, ...leb(targets.mark)]), // local.get page; call mark
    0x0b, 0x0b, // end; end
    0x20, ...leb(addr), // local.get addr
  ];
  const sequences = new Map<number, { save: Uint8Array; restore: Uint8Array }>();
  for (const [type, local] of [[I32, i32], [I64, i64], [F32, f32], [F64, f64]] as const) {
    sequences.set(type, {
      save: Uint8Array.from([0x21, ...leb(local), 0x22, ...leb(addr)]), // local.set value; local.tee addr
      restore: Uint8Array.from([...check, 0x20, ...leb(local)]), // ... local.get value
    });
  }
  const bulk = Uint8Array.from([
    0x21, ...leb(i32), 0x21, ...leb(page), 0x22, ...leb(addr), // local.set len; local.set x; local.tee dst
    0x20, ...leb(i32), 0x10, ...leb(targets.markRange), // local.get len; call mark_range
    0x20, ...leb(addr), 0x20, ...leb(page), 0x20, ...leb(i32), // local.get dst; local.get x; local.get len
  ]);
  out.bytes(leb(entryCount + 4));
  out.bytes(wasm.subarray(entriesStart, codeStart));
  out.bytes([3, I32, 1, I64, 1, F32, 1, F64]);
  let copied = codeStart;
  for (const write of writes) {
    out.bytes(wasm.subarray(copied, write.start));
    if (write.kind === 'store') {
      const sequence = sequences.get(write.valueType)!;
      if (process.env.V === 'none') { out.bytes(wasm.subarray(write.start, write.end)); copied = write.end; continue; }
      out.bytes(sequence.save);
      const offset = memargOffset(wasm, write.start + 1);
      if (offset !== 0) out.bytes([0x41, ...sleb(offset), 0x6a]); // i32.const offset; i32.add
      out.bytes(sequence.restore);
    } else out.bytes(bulk);
    out.bytes(wasm.subarray(write.start, write.end));
    copied = write.end;
  }
  out.bytes(wasm.subarray(copied, end));
  return writes.length;
}

function memargOffset(wasm: Uint8Array, position: number): number {
  const memarg = new Reader(wasm, position);
  if ((memarg.u32() & 0x40) !== 0) memarg.u32();
  return memarg.u32();
}

/** Bodies of the added functions, each with its size prefix. */
function addedBodies(targets: Targets): number[] {
  const markBody = process.env.V === 'nohook' ? [0x00, 0x23, ...leb(targets.lastPage), 0x24, ...leb(targets.lastPage + 1), 0x20, 0, 0x24, ...leb(targets.lastPage), 0x0b] : [
    0x00,
    0x23, ...leb(targets.lastPage), 0x24, ...leb(targets.lastPage + 1), // previous = last
    0x20, 0, 0x24, ...leb(targets.lastPage), // last = page
    0x20, 0, 0x41, 0, 0x11, ...leb(targets.hookType), ...leb(targets.hookTable), // hook(page)
    0x0b,
  ];
  const markRangeBody = [
    0x01, 2, I32, // locals: page, lastPageOfRange
    0x20, 1, 0x45, 0x0d, 0, // if len == 0: return
    0x20, 0, 0x41, 16, 0x76, 0x21, 2, // page = dst >> 16
    0x20, 0, 0x20, 1, 0x6a, 0x41, 1, 0x6b, 0x41, 16, 0x76, 0x21, 3, // end = (dst + len - 1) >> 16
    0x03, 0x40, // loop
    0x20, 2, 0x10, ...leb(targets.mark), // mark(page)
    0x20, 2, 0x20, 3, 0x49, 0x04, 0x40, // if page < end
    0x20, 2, 0x41, 1, 0x6a, 0x21, 2, 0x0c, 1, // page++; continue
    0x0b, 0x0b, 0x0b,
  ];
  return [markBody, markRangeBody].flatMap((body) => [...leb(body.length), ...body]);
}

/** The rewritten module. */
export interface InstrumentedWasm {
  readonly wasm: Uint8Array;
  /** Number of store and bulk instructions instrumented. */
  readonly writeSites: number;
}

/**
 * Returns `wasm` with every memory write instrumented as described above.
 * @throws RangeError (or `UnsupportedInstruction`) when the module uses something the rewriter does not know.
 */
export function instrumentMemoryWrites(wasm: Uint8Array): InstrumentedWasm {
  const sections = readSections(wasm);
  const find = (id: number): Section | undefined => sections.find((section) => section.id === id);
  const imports = countImports(wasm, find(2));
  const params = paramCounts(wasm, find(TYPE));
  const types = vectorSection(wasm, find(TYPE));
  const functions = functionTypes(wasm, find(FUNCTION));
  const tables = vectorSection(wasm, find(TABLE));
  const globals = vectorSection(wasm, find(GLOBAL));
  const exports = vectorSection(wasm, find(EXPORT));

  const typeBase = types.count;
  const mark = imports.functions + functions.length;
  const targets: Targets = {
    mark,
    markRange: mark + 1,
    lastPage: imports.globals + globals.count,
    hookTable: imports.tables + tables.count,
    hookType: typeBase,
  };

  const code = find(CODE);
  const codeOut = new Writer(wasm.length * 2);
  const body = new Writer();
  let writeSites = 0;
  codeOut.bytes(leb(functions.length + 2));
  if (code !== undefined) {
    const reader = new Reader(wasm, code.start);
    if (reader.u32() !== functions.length) throw new RangeError('wasm: code and function sections disagree');
    for (const typeIndex of functions) {
      const size = reader.u32();
      const bodyEnd = reader.pos + size;
      const paramCount = params[typeIndex];
      if (paramCount === undefined) throw new RangeError(`wasm: unknown type ${typeIndex}`);
      body.length = 0;
      writeSites += instrumentBody(wasm, reader.pos, bodyEnd, paramCount, targets, body);
      codeOut.bytes(leb(body.length));
      codeOut.bytes(body.result());
      reader.pos = bodyEnd;
    }
  }
  codeOut.bytes(addedBodies(targets));

  const replaced = new Map<number, ArrayLike<number>>([
    [TYPE, [...leb(types.count + 2), ...types.entries, 0x60, 1, I32, 0, 0x60, 2, I32, I32, 0]],
    [FUNCTION, [...leb(functions.length + 2), ...functions.flatMap((t) => leb(t)), ...leb(typeBase), ...leb(typeBase + 1)]],
    [TABLE, [...leb(tables.count + 1), ...tables.entries, 0x70, 0x01, 1, 1]],
    [GLOBAL, [...leb(globals.count + 2), ...globals.entries, I32, 0x01, 0x41, 0x7f, 0x0b, I32, 0x01, 0x41, 0x7f, 0x0b]],
    [
      EXPORT,
      [
        ...leb(exports.count + 3),
        ...exports.entries,
        ...encodeName(MARK_HOOK_TABLE_EXPORT), 1, ...leb(targets.hookTable),
        ...encodeName(LAST_PAGE_EXPORT), 3, ...leb(targets.lastPage),
        ...encodeName(PREVIOUS_PAGE_EXPORT), 3, ...leb(targets.lastPage + 1),
      ],
    ],
    [CODE, codeOut.result()],
  ]);
  return { wasm: assemble(wasm, sections, replaced), writeSites };
}

/** Rebuilds the module: replaced sections in place, missing ones inserted where the section order wants them. */
function assemble(wasm: Uint8Array, sections: readonly Section[], replaced: Map<number, ArrayLike<number>>): Uint8Array {
  const out = new Writer();
  out.bytes(wasm.subarray(0, 8));
  const pending = new Map(replaced);
  const emit = (id: number, body: ArrayLike<number>): void => {
    out.bytes([id, ...leb(body.length)]);
    out.bytes(body);
    pending.delete(id);
  };
  const flushBefore = (id: number): void => {
    const rank = SECTION_ORDER.indexOf(id);
    for (const [pendingId, body] of pending) {
      if (SECTION_ORDER.indexOf(pendingId) < rank && !sections.some((section) => section.id === pendingId)) emit(pendingId, body);
    }
  };
  for (const section of sections) {
    if (section.id !== 0) flushBefore(section.id);
    const body = pending.get(section.id);
    if (body !== undefined && section.id !== 0) emit(section.id, body);
    else out.bytes(wasm.subarray(section.headerStart, section.end));
  }
  for (const [id, body] of [...pending].sort((a, b) => SECTION_ORDER.indexOf(a[0]) - SECTION_ORDER.indexOf(b[0]))) emit(id, body);
  return out.result();
}
