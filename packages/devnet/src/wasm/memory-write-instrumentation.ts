/**
 * The dirty-page part of canister instrumentation: every store and bulk write (`memory.fill`, `memory.copy`,
 * `memory.init`) becomes a call to a helper made for its exact encoding (opcode and immediates, so semantics
 * and traps are unchanged). The helper checks the page of the effective address against the two pages marked
 * last and, for a new page, calls a hook. The host puts into the hook's one-entry table the `mark` export of a
 * tiny module that sets a byte per page in its own memory (a wasm-to-wasm call, far cheaper than `table.set`
 * or a call into JS). The host then copies only the marked pages to commit or roll back an execution, instead
 * of the whole heap.
 *
 * Replacing each write by a call keeps the code size and V8's baseline compile time as they were: inlining
 * the check at 61 000 sites of a 3.5 MB Azle module made its first `canister_init` several times slower.
 *
 * Added to the module (appended by `instrumentModule`, so no existing index moves): seven types; the functions
 * `mark(page)`, `mark_range(dst, len)` and one helper per distinct write encoding (~1 850 for Azle); the hook
 * table; two mutable i32 globals (the last two pages marked, -1 for none: stores alternate between the
 * stack's page and a heap page); and exports of the table and the globals.
 */
import { F32, F64, I32, I64, storedValueType } from './memory-write-finder';
import { encodeName, leb, Reader, sleb } from './wasm-reader';
import { Writer } from './wasm-writer';

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

/** Where the added types, functions, globals and table sit in the module's index spaces. */
export interface WriteTrackingIndices {
  /** First of the seven added types. */
  readonly typeBase: number;
  /** Index of `mark`; `mark_range` follows, then the helpers. */
  readonly mark: number;
  /** Index of the last-page global; the previous-page global follows. */
  readonly lastPage: number;
  readonly hookTable: number;
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

/** Builds the dirty-page additions of one module while its bodies are rewritten. */
export class WriteTracking {
  /** The seven added types: hook `[i32]`, range `[i32 i32]`, bulk `[i32 i32 i32]`, stores `[i32 T]`. */
  static readonly TYPES = [
    [0x60, 1, I32, 0],
    [0x60, 2, I32, I32, 0],
    [0x60, 3, I32, I32, I32, 0],
    ...[I32, I64, F32, F64].map((type) => [0x60, 2, I32, type, 0]),
  ];
  /** The two added globals: mutable i32 initialised to -1. */
  static readonly GLOBALS = [[I32, 0x01, 0x41, 0x7f, 0x0b], [I32, 0x01, 0x41, 0x7f, 0x0b]];
  /** The hook table: funcref, exactly one entry. */
  static readonly TABLE = [0x70, 0x01, 1, 1];

  private readonly byEncoding = new Map<string | number, number>();
  private readonly helperTypes: number[] = [];
  private readonly helperBodies = new Writer();
  /** Number of store and bulk instructions replaced so far. */
  writeSites = 0;

  constructor(private readonly indices: WriteTrackingIndices) {}

  /** Function index of the helper performing the memory write `op` at `[start, end)` (made on first use). */
  helperFor(wasm: Uint8Array, op: number, start: number, end: number): number {
    this.writeSites++;
    const encoding = wasm.subarray(start, end);
    const key = encodingKey(encoding);
    const known = this.byEncoding.get(key);
    if (known !== undefined) return known;
    const index = this.indices.mark + 2 + this.helperTypes.length;
    this.byEncoding.set(key, index);
    const valueType = storedValueType(op);
    const body = valueType === undefined ? this.bulkBody(encoding) : this.storeBody(wasm, start, encoding);
    this.helperTypes.push(this.indices.typeBase + (valueType === undefined ? BULK_TYPE : STORE_TYPES.get(valueType)!));
    this.helperBodies.bytes(leb(body.length));
    this.helperBodies.bytes(body);
    return index;
  }

  /** Type indices of the added functions, in index order. */
  functionTypes(): number[] {
    return [this.indices.typeBase + HOOK_TYPE, this.indices.typeBase + RANGE_TYPE, ...this.helperTypes];
  }

  /** Bodies of the added functions (each with its size prefix), in index order. */
  functionBodies(): Uint8Array {
    const out = new Writer(this.helperBodies.length + 256);
    out.bytes(markBodies(this.indices));
    out.bytes(this.helperBodies.result());
    return out.result();
  }

  /** The added export entries. */
  exports(): number[][] {
    const { hookTable, lastPage } = this.indices;
    return [
      [...encodeName(MARK_HOOK_TABLE_EXPORT), 1, ...leb(hookTable)],
      [...encodeName(LAST_PAGE_EXPORT), 3, ...leb(lastPage)],
      [...encodeName(PREVIOUS_PAGE_EXPORT), 3, ...leb(lastPage + 1)],
    ];
  }

  /** `(addr, value)`: marks the page of `addr + offset` unless one of the last two marked, then stores. */
  private storeBody(wasm: Uint8Array, start: number, encoding: Uint8Array): number[] {
    const offset = memargOffset(wasm, start + 1);
    const { lastPage, mark } = this.indices;
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
    return [0x00, 0x20, 0, 0x20, 2, 0x10, ...leb(this.indices.mark + 1), 0x20, 0, 0x20, 1, 0x20, 2, ...encoding, 0x0b];
  }
}

/** A map key for an encoding: a number for the usual short ones (fast), else a string. */
function encodingKey(encoding: Uint8Array): string | number {
  if (encoding.length > 6) return String.fromCharCode(...encoding);
  let key = 0;
  for (const byte of encoding) key = key * 256 + byte;
  return key;
}

function memargOffset(wasm: Uint8Array, position: number): number {
  const memarg = new Reader(wasm, position);
  if ((memarg.u32() & 0x40) !== 0) memarg.u32();
  return memarg.u32();
}

/** Bodies of `mark` and `mark_range`, each with its size prefix. */
function markBodies(indices: WriteTrackingIndices): number[] {
  const markBody = [
    0x00,
    0x23, ...leb(indices.lastPage), 0x24, ...leb(indices.lastPage + 1), // previous = last
    0x20, 0, 0x24, ...leb(indices.lastPage), // last = page
    0x20, 0, 0x41, 0, 0x11, ...leb(indices.typeBase + HOOK_TYPE), ...leb(indices.hookTable), // hook(page)
    0x0b,
  ];
  const markRangeBody = [
    0x01, 2, I32, // locals: page, lastPageOfRange
    0x20, 1, 0x45, 0x0d, 0, // if len == 0: return
    0x20, 0, 0x41, 16, 0x76, 0x21, 2, // page = dst >> 16
    0x20, 0, 0x20, 1, 0x6a, 0x41, 1, 0x6b, 0x41, 16, 0x76, 0x21, 3, // end = (dst + len - 1) >> 16
    0x03, 0x40, // loop
    0x20, 2, 0x10, ...leb(indices.mark), // mark(page)
    0x20, 2, 0x20, 3, 0x49, 0x04, 0x40, // if page < end
    0x20, 2, 0x41, 1, 0x6a, 0x21, 2, 0x0c, 1, // page++; continue
    0x0b, 0x0b, 0x0b,
  ];
  return [markBody, markRangeBody].flatMap((body) => [...leb(body.length), ...body]);
}
