/**
 * Rewrites a wasm module so that it records which 64 KiB pages of its memory it writes. Every store and bulk
 * write (`memory.fill`, `memory.copy`, `memory.init`) is replaced by a call to a helper made for its exact
 * encoding (opcode and immediates, so semantics and traps are unchanged): the helper checks the page of the
 * effective address against the two pages marked last and, for a new page, calls a hook. The host puts into
 * the hook's one-entry table the `mark` export of a tiny module that sets a byte per page in its own memory
 * (a wasm-to-wasm call, far cheaper than `table.set` or a call into JS). The host then copies only the marked
 * pages to commit or roll back an execution, instead of the whole heap.
 *
 * Replacing each write by a call keeps the code size and V8's baseline compile time as they were: inlining
 * the check at 61 000 sites of a 3.5 MB Azle module made its first `canister_init` several times slower.
 *
 * Added to the module, all appended so that no existing index moves: seven types; the functions `mark(page)`,
 * `mark_range(dst, len)` and one helper per distinct write encoding (~1 850 for Azle); the hook table; two
 * mutable i32 globals (the last two pages marked, -1 for none: stores alternate between the stack's page and
 * a heap page); and exports of the table and the globals.
 */
import { F32, F64, findMemoryWrites, I32, I64, type MemoryWrite } from './memory-write-finder';
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

/** Throws unless every type is a plain function type (the added types are appended after them). */
function checkFunctionTypes(wasm: Uint8Array, section: Section | undefined): void {
  if (section === undefined) return;
  const reader = new Reader(wasm, section.start);
  for (let i = reader.u32(); i > 0; i--) {
    if (reader.u8() !== 0x60) throw new RangeError('wasm: only function types are supported');
    reader.skip(reader.u32());
    reader.skip(reader.u32());
  }
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
  hookTable: number;
  /** First of the seven added types: hook `[i32]`, range `[i32 i32]`, bulk `[i32 i32 i32]`, stores `[i32 T]`. */
  typeBase: number;
  /** Index of the first helper. */
  helperBase: number;
}

const HOOK_TYPE = 0;
const RANGE_TYPE = 1;
const BULK_TYPE = 2;
/** Added type of the helper of a store with value type T. */
const STORE_TYPES = new Map([
  [I32, 3],
  [I64, 4],
  [F32, 5],
  [F64, 6],
]);
const ADDED_TYPES = [
  [0x60, 1, I32, 0],
  [0x60, 2, I32, I32, 0],
  [0x60, 3, I32, I32, I32, 0],
  ...[I32, I64, F32, F64].map((type) => [0x60, 2, I32, type, 0]),
].flat();

/** The helpers made so far, by the hex of the write's encoding. */
class Helpers {
  private readonly byEncoding = new Map<string | number, number>();
  readonly types: number[] = [];
  readonly bodies = new Writer();

  constructor(private readonly targets: Targets) {}

  get count(): number {
    return this.types.length;
  }

  /** Function index of the helper performing `write` (made on first use). */
  indexFor(wasm: Uint8Array, write: MemoryWrite): number {
    const encoding = wasm.subarray(write.start, write.end);
    const key = encodingKey(encoding);
    const known = this.byEncoding.get(key);
    if (known !== undefined) return known;
    const index = this.targets.helperBase + this.count;
    this.byEncoding.set(key, index);
    const body = write.kind === 'store' ? this.storeBody(wasm, write, encoding) : this.bulkBody(encoding);
    this.types.push(this.targets.typeBase + (write.kind === 'store' ? STORE_TYPES.get(write.valueType)! : BULK_TYPE));
    this.bodies.bytes(leb(body.length));
    this.bodies.bytes(body);
    return index;
  }

  /** `(addr, value)`: marks the page of `addr + offset` unless one of the last two marked, then stores. */
  private storeBody(wasm: Uint8Array, write: MemoryWrite, encoding: Uint8Array): number[] {
    const offset = memargOffset(wasm, write.start + 1);
    const { lastPage, mark } = this.targets;
    return [
      0x01, 1, I32, // local 2: page
      0x20, 0, ...(offset === 0 ? [] : [0x41, ...sleb(offset), 0x6a]), // addr (+ offset, wrapping: a wrapped address traps below)
      0x41, 16, 0x76, 0x22, 2, // page = ... >> 16
      0x23, ...leb(lastPage), 0x47, 0x04, 0x40, // if page != last
      0x20, 2, 0x23, ...leb(lastPage + 1), 0x47, 0x04, 0x40, // if page != previous
      0x20, 2, 0x10, ...leb(mark), // mark(page)
      0x0b, 0x0b,
      0x20, 0, 0x20, 1, ...encoding, // the original store
      0x0b,
    ];
  }

  /** `(dst, x, len)`: marks `[dst, dst + len)`, then runs the original fill, copy or init. */
  private bulkBody(encoding: Uint8Array): number[] {
    return [0x00, 0x20, 0, 0x20, 2, 0x10, ...leb(this.targets.markRange), 0x20, 0, 0x20, 1, 0x20, 2, ...encoding, 0x0b];
  }
}

/** A map key for an encoding: a number for the usual short ones (fast), else a string. */
function encodingKey(encoding: Uint8Array): string | number {
  if (encoding.length > 6) return String.fromCharCode(...encoding);
  let key = 0;
  for (const byte of encoding) key = key * 256 + byte;
  return key;
}

/**
 * Copies one function body (without its size prefix) into `out` with each memory write replaced by a call to
 * its helper; returns the number of writes replaced.
 */
function instrumentBody(wasm: Uint8Array, start: number, end: number, helpers: Helpers, out: Writer): number {
  const reader = new Reader(wasm, start);
  for (let entries = reader.u32(); entries > 0; entries--) {
    reader.u32();
    reader.u8();
  }
  const writes = findMemoryWrites(reader, end);
  let copied = start;
  for (const write of writes) {
    out.bytes(wasm.subarray(copied, write.start));
    out.bytes([0x10, ...leb(helpers.indexFor(wasm, write))]);
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

/** Bodies of `mark` and `mark_range`, each with its size prefix. */
function markBodies(targets: Targets): number[] {
  const markBody = [
    0x00,
    0x23, ...leb(targets.lastPage), 0x24, ...leb(targets.lastPage + 1), // previous = last
    0x20, 0, 0x24, ...leb(targets.lastPage), // last = page
    0x20, 0, 0x41, 0, 0x11, ...leb(targets.typeBase + HOOK_TYPE), ...leb(targets.hookTable), // hook(page)
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
  checkFunctionTypes(wasm, find(TYPE));
  const types = vectorSection(wasm, find(TYPE));
  const functions = functionTypes(wasm, find(FUNCTION));
  const tables = vectorSection(wasm, find(TABLE));
  const globals = vectorSection(wasm, find(GLOBAL));
  const exports = vectorSection(wasm, find(EXPORT));

  const mark = imports.functions + functions.length;
  const targets: Targets = {
    mark,
    markRange: mark + 1,
    lastPage: imports.globals + globals.count,
    hookTable: imports.tables + tables.count,
    typeBase: types.count,
    helperBase: mark + 2,
  };
  const helpers = new Helpers(targets);

  const code = find(CODE);
  const bodies = new Writer(wasm.length + (wasm.length >> 2));
  const body = new Writer();
  let writeSites = 0;
  if (code !== undefined) {
    const reader = new Reader(wasm, code.start);
    if (reader.u32() !== functions.length) throw new RangeError('wasm: code and function sections disagree');
    for (let i = 0; i < functions.length; i++) {
      const size = reader.u32();
      const bodyEnd = reader.pos + size;
      body.length = 0;
      writeSites += instrumentBody(wasm, reader.pos, bodyEnd, helpers, body);
      bodies.bytes(leb(body.length));
      bodies.bytes(body.result());
      reader.pos = bodyEnd;
    }
  }
  const added = 2 + helpers.count;
  const codeOut = new Writer(bodies.length + helpers.bodies.length + 256);
  codeOut.bytes(leb(functions.length + added));
  codeOut.bytes(bodies.result());
  codeOut.bytes(markBodies(targets));
  codeOut.bytes(helpers.bodies.result());
  const addedTypes = [targets.typeBase + HOOK_TYPE, targets.typeBase + RANGE_TYPE, ...helpers.types];

  const replaced = new Map<number, ArrayLike<number>>([
    [TYPE, [...leb(types.count + 7), ...types.entries, ...ADDED_TYPES]],
    [FUNCTION, [...leb(functions.length + added), ...[...functions, ...addedTypes].flatMap((type) => leb(type))]],
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
