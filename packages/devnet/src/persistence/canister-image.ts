/**
 * A canister as the state directory keeps it (`CanisterImage`), and the difference between that image and the
 * canister as it runs now (`CanisterDelta`): the byte ranges of heap and stable memory that changed, plus the
 * small fields. A journal record carries deltas; a checkpoint carries whole images.
 */
import type { StableCheckpoint } from '../execution/sparse-stable-memory';

/** Bytes of a wasm page and of a stable memory chunk. */
export const IMAGE_PAGE_BYTES = 65_536;

/** A wasm global's value: i32, f32 and f64 as numbers, i64 as bigint. */
export type GlobalValue = number | bigint;

/** Where a canister stands: running, or stopped by `stop_canister` (calls are refused). */
export type CanisterRunStatus = 'running' | 'stopped';

/** What the management canister keeps about a canister besides its code and memory. */
export interface CanisterSettingsImage {
  readonly controllers: readonly Uint8Array[];
  readonly status: CanisterRunStatus;
  /** The chunk store (`upload_chunk`), in upload order. */
  readonly chunks: readonly Uint8Array[];
}

/** Everything needed to bring a canister back exactly as it was. */
export interface CanisterImage {
  readonly id: Uint8Array;
  /** sha256 (hex) of the installed wasm; the module lives in the state directory under that name. */
  moduleHash: string;
  /** The whole linear memory (its length is the memory's size). */
  heap: Uint8Array;
  /** The module's own mutable globals, in export order (the stack pointer among them). */
  globals: GlobalValue[];
  stablePages: number;
  /** Stable memory chunks that were ever written, by chunk index. */
  stableChunks: Map<number, Uint8Array>;
  certifiedData: Uint8Array;
  globalTimer: bigint;
  version: bigint;
  settings: CanisterSettingsImage;
}

/** A canister as it runs: read by the persister at a commit point, between executions. */
export interface LiveCanisterState {
  readonly id: Uint8Array;
  readonly moduleHash: string;
  /** The installed wasm, stored when its hash is new to the state directory. */
  readonly wasm: Uint8Array;
  /** A view of the live linear memory; read at once, never kept. */
  readonly heap: Uint8Array;
  readonly globals: readonly GlobalValue[];
  readonly stable: StableCheckpoint;
  readonly certifiedData: Uint8Array;
  readonly globalTimer: bigint;
  readonly version: bigint;
  readonly settings: CanisterSettingsImage;
}

/** A run of changed bytes: `[offset, bytes]`. */
export type ByteRange = readonly [number, Uint8Array];

/** What changed in one canister since its image. Absent fields did not change. */
export interface CanisterDelta {
  readonly id: Uint8Array;
  readonly moduleHash?: string;
  readonly heapLength?: number;
  readonly heap?: readonly ByteRange[];
  readonly globals?: readonly GlobalValue[];
  readonly stablePages?: number;
  /** Per chunk: its changed ranges, or `null` when the chunk is gone (stable memory cleared). */
  readonly stableChunks?: readonly (readonly [number, readonly ByteRange[] | null])[];
  readonly certifiedData?: Uint8Array;
  readonly globalTimer?: bigint;
  readonly version?: bigint;
  readonly settings?: CanisterSettingsImage;
}

/** Runs of equal bytes shorter than this between two changes are written along, as one range. */
const MERGE_GAP = 32;

/** The ranges where `current` differs from `base` within `[from, to)` (both at least `to` long). */
function changedRanges(base: Uint8Array, current: Uint8Array, from: number, to: number, out: ByteRange[]): void {
  let start = -1;
  let lastDiff = -1;
  for (let i = from; i < to; i++) {
    if (base[i] === current[i]) continue;
    if (start >= 0 && i - lastDiff > MERGE_GAP) {
      out.push([start, current.slice(start, lastDiff + 1)]);
      start = -1;
    }
    if (start < 0) start = i;
    lastDiff = i;
  }
  if (start >= 0) out.push([start, current.slice(start, lastDiff + 1)]);
}

/**
 * The ranges of `current` that differ from `base` (bytes of `current` beyond `base` count as changed unless
 * zero, as fresh memory is). Pages are first compared natively, so the cost follows what changed.
 */
export function diffBytes(base: Uint8Array, current: Uint8Array): ByteRange[] {
  const ranges: ByteRange[] = [];
  const shared = Math.min(base.length, current.length);
  const baseBuffer = Buffer.from(base.buffer, base.byteOffset, base.byteLength);
  const currentBuffer = Buffer.from(current.buffer, current.byteOffset, current.byteLength);
  for (let from = 0; from < shared; from += IMAGE_PAGE_BYTES) {
    const to = Math.min(from + IMAGE_PAGE_BYTES, shared);
    if (baseBuffer.compare(currentBuffer, from, to, from, to) !== 0) changedRanges(base, current, from, to, ranges);
  }
  if (current.length > shared) {
    const zeros = new Uint8Array(current.length);
    for (let from = shared; from < current.length; from += IMAGE_PAGE_BYTES) {
      const to = Math.min(from + IMAGE_PAGE_BYTES, current.length);
      changedRanges(zeros, current, from, to, ranges);
    }
  }
  return ranges;
}

/** Writes `ranges` into `target`. */
export function applyRanges(target: Uint8Array, ranges: readonly ByteRange[]): void {
  for (const [offset, bytes] of ranges) target.set(bytes, offset);
}

const EMPTY = new Uint8Array(0);

/** A new canister's image before anything was persisted: everything it holds will show as changed. */
export function emptyImage(id: Uint8Array): CanisterImage {
  return {
    id,
    moduleHash: '',
    heap: EMPTY,
    globals: [],
    stablePages: 0,
    stableChunks: new Map(),
    certifiedData: EMPTY,
    globalTimer: 0n,
    version: 0n,
    settings: { controllers: [], status: 'running', chunks: [] },
  };
}

/**
 * What changed in `live` since `image`, or undefined when nothing did. Stable memory chunks are compared by
 * identity first: an execution replaces a chunk by a copy before writing to it, so an unchanged chunk is the
 * very object the image was last brought up to date from (`liveChunks` keeps those objects).
 */
export function diffCanister(
  image: CanisterImage,
  live: LiveCanisterState,
  liveChunks: ReadonlyMap<number, Uint8Array>,
  options: { memory?: boolean } = {},
): CanisterDelta | undefined {
  const delta: { -readonly [K in keyof CanisterDelta]: CanisterDelta[K] } = { id: image.id };
  if (options.memory !== false) diffMemory(image, live, liveChunks, delta);
  if (!sameBytes(image.certifiedData, live.certifiedData)) delta.certifiedData = live.certifiedData.slice();
  if (image.globalTimer !== live.globalTimer) delta.globalTimer = live.globalTimer;
  if (image.version !== live.version) delta.version = live.version;
  if (!sameSettings(image.settings, live.settings)) delta.settings = copySettings(live.settings);
  return Object.keys(delta).length > 1 ? delta : undefined;
}

// Module, heap, globals and stable memory: what only executions and module changes touch.
function diffMemory(
  image: CanisterImage,
  live: LiveCanisterState,
  liveChunks: ReadonlyMap<number, Uint8Array>,
  delta: { -readonly [K in keyof CanisterDelta]: CanisterDelta[K] },
): void {
  if (image.moduleHash !== live.moduleHash) delta.moduleHash = live.moduleHash;
  if (image.heap.length !== live.heap.length) delta.heapLength = live.heap.length;
  const heapRanges = diffBytes(image.heap, live.heap);
  if (heapRanges.length > 0) delta.heap = heapRanges;
  if (!sameValues(image.globals, live.globals)) delta.globals = [...live.globals];
  if (image.stablePages !== live.stable.pages) delta.stablePages = live.stable.pages;
  const chunkChanges: [number, ByteRange[] | null][] = [];
  for (const [index, chunk] of live.stable.chunks) {
    if (liveChunks.get(index) === chunk) continue;
    const ranges = diffBytes(image.stableChunks.get(index) ?? new Uint8Array(IMAGE_PAGE_BYTES), chunk);
    if (ranges.length > 0) chunkChanges.push([index, ranges]);
  }
  for (const index of image.stableChunks.keys()) if (!live.stable.chunks.has(index)) chunkChanges.push([index, null]);
  if (chunkChanges.length > 0) delta.stableChunks = chunkChanges;
}

/** Brings `image` up to date with `delta`. */
export function applyDelta(image: CanisterImage, delta: CanisterDelta): void {
  if (delta.moduleHash !== undefined) image.moduleHash = delta.moduleHash;
  if (delta.heapLength !== undefined && delta.heapLength !== image.heap.length) {
    const heap = new Uint8Array(delta.heapLength);
    heap.set(image.heap.subarray(0, Math.min(image.heap.length, delta.heapLength)));
    image.heap = heap;
  }
  if (delta.heap) applyRanges(image.heap, delta.heap);
  if (delta.globals) image.globals = [...delta.globals];
  if (delta.stablePages !== undefined) image.stablePages = delta.stablePages;
  for (const [index, ranges] of delta.stableChunks ?? []) {
    if (ranges === null) {
      image.stableChunks.delete(index);
      continue;
    }
    // A fresh copy: the old chunk object may still be shared with the live stable memory it came from.
    const chunk = image.stableChunks.get(index)?.slice() ?? new Uint8Array(IMAGE_PAGE_BYTES);
    applyRanges(chunk, ranges);
    image.stableChunks.set(index, chunk);
  }
  if (delta.certifiedData) image.certifiedData = delta.certifiedData.slice();
  if (delta.globalTimer !== undefined) image.globalTimer = delta.globalTimer;
  if (delta.version !== undefined) image.version = delta.version;
  if (delta.settings) image.settings = copySettings(delta.settings);
}

function copySettings(settings: CanisterSettingsImage): CanisterSettingsImage {
  return { controllers: settings.controllers.map((c) => c.slice()), status: settings.status, chunks: [...settings.chunks] };
}

function sameSettings(a: CanisterSettingsImage, b: CanisterSettingsImage): boolean {
  return (
    a.status === b.status &&
    a.controllers.length === b.controllers.length &&
    a.controllers.every((c, i) => sameBytes(c, b.controllers[i] as Uint8Array)) &&
    a.chunks.length === b.chunks.length &&
    a.chunks.every((c, i) => c === b.chunks[i] || sameBytes(c, b.chunks[i] as Uint8Array))
  );
}

function sameValues(a: readonly GlobalValue[], b: readonly GlobalValue[]): boolean {
  return a.length === b.length && a.every((value, i) => Object.is(value, b[i]));
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}
