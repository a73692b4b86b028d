/**
 * Rewrites canister wasm for the devnet in one pass over its code: memory writes tracked for dirty-page
 * rollback (`WriteTracking`) and instructions metered the way the replica meters them (`InstructionMetering`
 * at the points a `MeteringPlan` finds). Everything added is appended (types, functions, globals, table,
 * exports), so no existing index moves and the original instructions are copied byte for byte around the
 * insertions.
 */
import { InstructionMetering } from './instruction-metering';
import { skipLocals, UnsupportedInstruction, walkInstructions, type InstructionVisitor } from './instruction-walker';
import { isMemoryWrite } from './memory-write-finder';
import { MeteringPlan } from './metering-plan';
import { WriteTracking } from './memory-write-instrumentation';
import { countImports, leb, Reader, readSections, SECTION_ORDER, SectionId, type Section } from './wasm-reader';
import { Writer } from './wasm-writer';

/** What to instrument. */
export interface InstrumentOptions {
  /** Replace memory writes by page-marking helpers (dirty-page rollback). */
  readonly trackWrites: boolean;
  /** Meter instructions as the replica does. */
  readonly meter: boolean;
}

/** The rewritten module. */
export interface InstrumentedModule {
  readonly wasm: Uint8Array;
  /** Number of store and bulk instructions replaced (0 without `trackWrites`). */
  readonly writeSites: number;
  /** Number of charge points injected (0 without `meter`). */
  readonly chargePoints: number;
}

const { Type: TYPE, Import: IMPORT, Function: FUNCTION, Table: TABLE, Memory: MEMORY, Global: GLOBAL, Export: EXPORT, Code: CODE } = SectionId;

// A module-level copy: an imported binding can compile to a property read on every use, in this hot path.
const isWrite = isMemoryWrite;

/**
 * Returns `wasm` instrumented as `options` asks.
 * @throws RangeError (or `UnsupportedInstruction`) when the module uses something the rewriter does not know.
 */
export function instrumentModule(wasm: Uint8Array, options: InstrumentOptions): InstrumentedModule {
  const sections = readSections(wasm);
  const find = (id: number): Section | undefined => sections.find((section) => section.id === id);
  const imports = countImports(wasm, find(IMPORT));
  checkFunctionTypes(wasm, find(TYPE));
  if (options.meter) checkMemory32(wasm, find(MEMORY));
  const types = vectorSection(wasm, find(TYPE));
  const functions = functionTypes(wasm, find(FUNCTION));
  const tables = vectorSection(wasm, find(TABLE));
  const globals = vectorSection(wasm, find(GLOBAL));
  const exports = vectorSection(wasm, find(EXPORT));

  // Metering first in every index space: its counts are fixed, while write helpers are made on demand.
  let nextType = types.count;
  let nextFunction = imports.functions + functions.length;
  let nextGlobal = imports.globals + globals.count;
  let metering: InstructionMetering | undefined;
  if (options.meter) {
    metering = new InstructionMetering({ typeBase: nextType, outOfInstructions: nextFunction, counter: nextGlobal });
    nextType += InstructionMetering.TYPES.length;
    nextFunction += 2;
    nextGlobal += InstructionMetering.GLOBALS.length;
  }
  const tracking = options.trackWrites
    ? new WriteTracking({ typeBase: nextType, mark: nextFunction, lastPage: nextGlobal, hookTable: imports.tables + tables.count })
    : undefined;

  const code = find(CODE);
  const bodies = new Writer(wasm.length + (wasm.length >> 1));
  let chargePoints = 0;
  if (code !== undefined) {
    const reader = new Reader(wasm, code.start);
    if (reader.u32() !== functions.length) throw new RangeError('wasm: code and function sections disagree');
    const rewriter = new BodyRewriter(wasm, metering, tracking);
    for (let i = 0; i < functions.length; i++) {
      const size = reader.u32();
      const bodyEnd = reader.pos + size;
      const body = rewriter.rewrite(reader.pos, bodyEnd);
      bodies.u32(body.length);
      bodies.bytes(body);
      reader.pos = bodyEnd;
    }
    chargePoints = rewriter.chargePoints;
  }

  const addedTypes = [...(metering ? InstructionMetering.TYPES : []), ...(tracking ? WriteTracking.TYPES : [])];
  const addedFunctionTypes = [...(metering?.functionTypes() ?? []), ...(tracking?.functionTypes() ?? [])];
  const addedGlobals = [...(metering ? InstructionMetering.GLOBALS : []), ...(tracking ? WriteTracking.GLOBALS : [])];
  const addedExports = [...(metering?.exports() ?? []), ...(tracking?.exports() ?? [])];

  const codeOut = new Writer(bodies.length + 1024);
  codeOut.bytes(leb(functions.length + addedFunctionTypes.length));
  codeOut.bytes(bodies.result());
  if (metering) codeOut.bytes(metering.functionBodies());
  if (tracking) codeOut.bytes(tracking.functionBodies());

  const replaced = new Map<number, ArrayLike<number>>([
    [TYPE, [...leb(types.count + addedTypes.length), ...types.entries, ...addedTypes.flat()]],
    [FUNCTION, [...leb(functions.length + addedFunctionTypes.length), ...[...functions, ...addedFunctionTypes].flatMap((type) => leb(type))]],
    [GLOBAL, [...leb(globals.count + addedGlobals.length), ...globals.entries, ...addedGlobals.flat()]],
    [EXPORT, [...leb(exports.count + addedExports.length), ...exports.entries, ...addedExports.flat()]],
    [CODE, codeOut.result()],
  ]);
  if (tracking) replaced.set(TABLE, [...leb(tables.count + 1), ...tables.entries, ...WriteTracking.TABLE]);
  return { wasm: assemble(wasm, sections, replaced), writeSites: tracking?.writeSites ?? 0, chargePoints };
}

/** Rewrites function bodies: charge points inserted, memory writes replaced by helper calls. */
class BodyRewriter {
  private readonly plan = new MeteringPlan();
  /** The memory writes of the current body: key, start and end of each. */
  private writes = new Int32Array(3 * 256);
  private writeCount = 0;
  private readonly out = new Writer();
  private readonly visit: InstructionVisitor;
  chargePoints = 0;

  constructor(
    private readonly wasm: Uint8Array,
    private readonly metering: InstructionMetering | undefined,
    private readonly tracking: WriteTracking | undefined,
  ) {
    const { plan } = this;
    // One visitor for every body: allocating a closure per body costs more than the dispatch.
    this.visit = (op, from, to) => {
      if (metering) plan.visit(op, from, to);
      if (tracking && op >= 0x36 && isWrite(op)) this.recordWrite(op, from, to);
    };
  }

  /** The instrumented body `[start, end)` (without its size prefix); valid until the next call. */
  rewrite(start: number, end: number): Uint8Array {
    const { wasm, plan, metering, tracking, out } = this;
    const reader = new Reader(wasm, start);
    skipLocals(reader);
    plan.begin(reader.pos);
    this.writeCount = 0;
    walkInstructions(reader, end, this.visit);

    out.length = 0;
    let copied = start;
    const points = metering ? plan.count : 0;
    const { writes, writeCount } = this;
    this.chargePoints += points;
    let point = 0;
    let write = 0;
    while (point < points || write < writeCount) {
      const writeStart = write < writeCount ? writes[3 * write + 1]! : Infinity;
      if (point < points && plan.positions[point]! <= writeStart) {
        const position = plan.positions[point]!;
        out.copy(wasm, copied, position);
        copied = position;
        metering!.emit(out, plan.kinds[point]!, plan.costs[point]!);
        point++;
      } else {
        out.copy(wasm, copied, writeStart);
        out.byte(0x10);
        out.u32(tracking!.helperFor(wasm, writes[3 * write]!, writeStart, writes[3 * write + 2]!));
        copied = writes[3 * write + 2]!;
        write++;
      }
    }
    out.copy(wasm, copied, end);
    return out.result();
  }

  private recordWrite(op: number, start: number, end: number): void {
    if (3 * this.writeCount === this.writes.length) {
      const grown = new Int32Array(this.writes.length * 2);
      grown.set(this.writes);
      this.writes = grown;
    }
    const at = 3 * this.writeCount++;
    this.writes[at] = op;
    this.writes[at + 1] = start;
    this.writes[at + 2] = end;
  }
}

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

/** The replica charges loads and stores of 64-bit memories twice; only 32-bit memories are metered here. */
function checkMemory32(wasm: Uint8Array, section: Section | undefined): void {
  if (section === undefined) return;
  const reader = new Reader(wasm, section.start);
  for (let i = reader.u32(); i > 0; i--) {
    const flags = reader.u8();
    if ((flags & 0x04) !== 0) throw new UnsupportedInstruction('wasm: 64-bit memories are not metered');
    reader.u32();
    if ((flags & 0x01) !== 0) reader.u32();
  }
}

function functionTypes(wasm: Uint8Array, section: Section | undefined): number[] {
  if (section === undefined) return [];
  const reader = new Reader(wasm, section.start);
  const types: number[] = [];
  for (let i = reader.u32(); i > 0; i--) types.push(reader.u32());
  return types;
}

/** Rebuilds the module: replaced sections in place, missing ones inserted where the section order wants them. */
function assemble(wasm: Uint8Array, sections: readonly Section[], replaced: Map<number, ArrayLike<number>>): Uint8Array {
  const out = new Writer(wasm.length + (wasm.length >> 1));
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
