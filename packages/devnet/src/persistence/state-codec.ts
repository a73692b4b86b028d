/**
 * CBOR encodings of what the state directory holds: journal records (what changed at one commit point) and
 * checkpoints (every canister whole). Decoding checks every field and throws `STATE_DIR_INVALID`.
 */
import {
  cborDecode,
  cborEncode,
  ErrorCode,
  expectArray,
  expectBytes,
  expectRecord,
  expectText,
  expectU64,
  IcWsError,
  type CborEncodable,
  type CborValue,
} from 'ic-ws-protocol';
import {
  IMAGE_PAGE_BYTES,
  type ByteRange,
  type CanisterDelta,
  type CanisterImage,
  type CanisterSettingsImage,
  type GlobalValue,
} from './canister-image';

/** Version of the encodings below; a state directory written by a newer devnet is refused. */
export const STATE_FORMAT_VERSION = 1;

/** One commit point: the subnet-wide fields and the canisters that changed, were created or deleted. */
export interface JournalRecord {
  /** IC time at the commit, ns. */
  readonly timeNs: bigint;
  /** Index of the next canister id to allocate. */
  readonly nextIndex: bigint;
  readonly changed: readonly CanisterDelta[];
  readonly deleted: readonly Uint8Array[];
  /** Canister names (`Devnet.deploy`), the whole map, when it changed. */
  readonly names?: ReadonlyMap<string, Uint8Array>;
}

/** Every canister whole, in install order, and the journal that continues it. */
export interface Checkpoint {
  /** Number of the journal file holding the records made after this checkpoint. */
  readonly journal: number;
  readonly timeNs: bigint;
  readonly nextIndex: bigint;
  readonly canisters: readonly CanisterImage[];
  /** Canister names (`Devnet.deploy`). */
  readonly names: ReadonlyMap<string, Uint8Array>;
}

// --- encoding

function encodeGlobal(value: GlobalValue): CborEncodable {
  if (typeof value === 'bigint') return ['i64', BigInt.asUintN(64, value)];
  // f32/f64 (and i32) as the 8 bytes of a float64, so that NaN payloads and -0 survive.
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setFloat64(0, value);
  return ['num', bytes];
}

function encodeSettings(settings: CanisterSettingsImage): CborEncodable {
  return { controllers: [...settings.controllers], status: settings.status, chunks: [...settings.chunks] };
}

function encodeRanges(ranges: readonly ByteRange[]): CborEncodable {
  return ranges.map(([offset, bytes]) => [offset, bytes]);
}

function encodeDelta(delta: CanisterDelta): CborEncodable {
  const out: Record<string, CborEncodable> = { id: delta.id };
  if (delta.moduleHash !== undefined) out.moduleHash = delta.moduleHash;
  if (delta.heapLength !== undefined) out.heapLength = delta.heapLength;
  if (delta.heap !== undefined) out.heap = encodeRanges(delta.heap);
  if (delta.globals !== undefined) out.globals = delta.globals.map(encodeGlobal);
  if (delta.stablePages !== undefined) out.stablePages = delta.stablePages;
  if (delta.stableChunks !== undefined) {
    out.stableChunks = delta.stableChunks.map(([index, ranges]) => [index, ranges === null ? null : encodeRanges(ranges)]);
  }
  if (delta.certifiedData !== undefined) out.certifiedData = delta.certifiedData;
  if (delta.globalTimer !== undefined) out.globalTimer = delta.globalTimer;
  if (delta.version !== undefined) out.version = delta.version;
  if (delta.settings !== undefined) out.settings = encodeSettings(delta.settings);
  return out;
}

/** A journal record as bytes. */
export function encodeJournalRecord(record: JournalRecord): Uint8Array {
  return cborEncode({
    format: STATE_FORMAT_VERSION,
    timeNs: record.timeNs,
    nextIndex: record.nextIndex,
    changed: record.changed.map(encodeDelta),
    deleted: [...record.deleted],
    ...(record.names === undefined ? {} : { names: encodeNames(record.names) }),
  });
}

function encodeNames(names: ReadonlyMap<string, Uint8Array>): CborEncodable {
  return [...names].map(([name, id]) => [name, id]);
}

function decodeNames(value: CborValue | undefined, what: string): Map<string, Uint8Array> {
  const names = new Map<string, Uint8Array>();
  for (const [i, entry] of expectArray(value, what).entries()) {
    const [name, id] = expectArray(entry, `${what}[${i}]`);
    names.set(expectText(name, `${what}[${i}].name`, 256), expectBytes(id, `${what}[${i}].id`, 29));
  }
  return names;
}

function nonZeroPages(bytes: Uint8Array): CborEncodable[] {
  const pages: CborEncodable[] = [];
  for (let from = 0; from < bytes.length; from += IMAGE_PAGE_BYTES) {
    const page = bytes.subarray(from, Math.min(from + IMAGE_PAGE_BYTES, bytes.length));
    if (page.some((byte) => byte !== 0)) pages.push([from / IMAGE_PAGE_BYTES, page]);
  }
  return pages;
}

/** A checkpoint as bytes (all-zero heap pages and stable chunks left out). */
export function encodeCheckpoint(checkpoint: Checkpoint): Uint8Array {
  return cborEncode({
    format: STATE_FORMAT_VERSION,
    journal: checkpoint.journal,
    timeNs: checkpoint.timeNs,
    nextIndex: checkpoint.nextIndex,
    names: encodeNames(checkpoint.names),
    canisters: checkpoint.canisters.map((image) => ({
      id: image.id,
      moduleHash: image.moduleHash,
      heapLength: image.heap.length,
      heapPages: nonZeroPages(image.heap),
      globals: image.globals.map(encodeGlobal),
      stablePages: image.stablePages,
      stableChunks: [...image.stableChunks].filter(([, chunk]) => chunk.some((byte) => byte !== 0)),
      certifiedData: image.certifiedData,
      globalTimer: image.globalTimer,
      version: image.version,
      settings: encodeSettings(image.settings),
    })),
  });
}

// --- decoding

function invalid(what: string, cause?: unknown): IcWsError {
  const reason = cause instanceof Error ? `: ${cause.message}` : '';
  return new IcWsError(ErrorCode.StateDirInvalid, `state directory: ${what}${reason}`, cause === undefined ? undefined : { cause });
}

function decodeRoot(bytes: Uint8Array, what: string, fields: readonly string[], optional: readonly string[] = []): (field: string) => CborValue | undefined {
  const field = expectRecord(cborDecode(bytes), what, ['format', ...fields], optional);
  const format = Number(expectU64(field('format'), `${what}.format`));
  if (format !== STATE_FORMAT_VERSION) {
    throw invalid(`${what} has format ${format}; this ic-ws-devnet reads format ${STATE_FORMAT_VERSION} (a newer devnet wrote it?)`);
  }
  return field;
}

function decodeNumber(value: CborValue | undefined, what: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = expectU64(value, what);
  if (n > BigInt(max)) throw invalid(`${what} is out of range`);
  return Number(n);
}

function decodeGlobal(value: CborValue, what: string): GlobalValue {
  const [kind, payload] = expectArray(value, what);
  if (kind === 'i64') return BigInt.asIntN(64, expectU64(payload, what));
  if (kind === 'num') {
    const bytes = expectBytes(payload, what);
    if (bytes.length !== 8) throw invalid(`${what} is not 8 bytes`);
    return new DataView(bytes.buffer, bytes.byteOffset, 8).getFloat64(0);
  }
  throw invalid(`${what} has an unknown kind`);
}

function decodeRanges(value: CborValue | undefined, what: string, limit: number): ByteRange[] {
  return expectArray(value, what).map((entry, i) => {
    const [offset, bytes] = expectArray(entry, `${what}[${i}]`);
    const start = decodeNumber(offset, `${what}[${i}].offset`);
    const data = expectBytes(bytes, `${what}[${i}].bytes`);
    if (start + data.length > limit) throw invalid(`${what}[${i}] lies beyond ${limit} bytes`);
    return [start, data] as const;
  });
}

function decodeSettings(value: CborValue | undefined, what: string): CanisterSettingsImage {
  const field = expectRecord(value, what, ['controllers', 'status', 'chunks']);
  const status = expectText(field('status'), `${what}.status`);
  if (status !== 'running' && status !== 'stopped') throw invalid(`${what}.status is ${status}`);
  return {
    controllers: expectArray(field('controllers'), `${what}.controllers`).map((c, i) => expectBytes(c, `${what}.controllers[${i}]`, 29)),
    status,
    chunks: expectArray(field('chunks'), `${what}.chunks`).map((c, i) => expectBytes(c, `${what}.chunks[${i}]`)),
  };
}

const DELTA_FIELDS = ['moduleHash', 'heapLength', 'heap', 'globals', 'stablePages', 'stableChunks', 'certifiedData', 'globalTimer', 'version', 'settings'];
/** Linear memory of wasm32: 4 GiB. */
const MAX_HEAP_BYTES = 2 ** 32;

function decodeDelta(value: CborValue, what: string): CanisterDelta {
  const field = expectRecord(value, what, ['id'], DELTA_FIELDS);
  const delta: { -readonly [K in keyof CanisterDelta]: CanisterDelta[K] } = { id: expectBytes(field('id'), `${what}.id`, 29) };
  if (field('moduleHash') !== undefined) delta.moduleHash = expectText(field('moduleHash'), `${what}.moduleHash`, 64);
  if (field('heapLength') !== undefined) delta.heapLength = decodeNumber(field('heapLength'), `${what}.heapLength`, MAX_HEAP_BYTES);
  if (field('heap') !== undefined) delta.heap = decodeRanges(field('heap'), `${what}.heap`, MAX_HEAP_BYTES);
  if (field('globals') !== undefined) delta.globals = expectArray(field('globals'), `${what}.globals`).map((g, i) => decodeGlobal(g, `${what}.globals[${i}]`));
  if (field('stablePages') !== undefined) delta.stablePages = decodeNumber(field('stablePages'), `${what}.stablePages`);
  if (field('stableChunks') !== undefined) {
    delta.stableChunks = expectArray(field('stableChunks'), `${what}.stableChunks`).map((entry, i) => {
      const [index, ranges] = expectArray(entry, `${what}.stableChunks[${i}]`);
      const at = decodeNumber(index, `${what}.stableChunks[${i}].index`);
      return [at, ranges === null ? null : decodeRanges(ranges, `${what}.stableChunks[${i}].ranges`, IMAGE_PAGE_BYTES)] as const;
    });
  }
  if (field('certifiedData') !== undefined) delta.certifiedData = expectBytes(field('certifiedData'), `${what}.certifiedData`, 32);
  if (field('globalTimer') !== undefined) delta.globalTimer = expectU64(field('globalTimer'), `${what}.globalTimer`);
  if (field('version') !== undefined) delta.version = expectU64(field('version'), `${what}.version`);
  if (field('settings') !== undefined) delta.settings = decodeSettings(field('settings'), `${what}.settings`);
  return delta;
}

/** Decodes a journal record; throws `STATE_DIR_INVALID`. */
export function decodeJournalRecord(bytes: Uint8Array): JournalRecord {
  try {
    const field = decodeRoot(bytes, 'journal record', ['timeNs', 'nextIndex', 'changed', 'deleted'], ['names']);
    return {
      ...(field('names') === undefined ? {} : { names: decodeNames(field('names'), 'names') }),
      timeNs: expectU64(field('timeNs'), 'timeNs'),
      nextIndex: expectU64(field('nextIndex'), 'nextIndex'),
      changed: expectArray(field('changed'), 'changed').map((delta, i) => decodeDelta(delta, `changed[${i}]`)),
      deleted: expectArray(field('deleted'), 'deleted').map((id, i) => expectBytes(id, `deleted[${i}]`, 29)),
    };
  } catch (error) {
    if (error instanceof IcWsError && error.code === ErrorCode.StateDirInvalid) throw error;
    throw invalid('unreadable journal record', error);
  }
}

/** Decodes a checkpoint; throws `STATE_DIR_INVALID`. */
export function decodeCheckpoint(bytes: Uint8Array): Checkpoint {
  try {
    const field = decodeRoot(bytes, 'checkpoint', ['journal', 'timeNs', 'nextIndex', 'names', 'canisters']);
    return {
      names: decodeNames(field('names'), 'names'),
      journal: decodeNumber(field('journal'), 'journal'),
      timeNs: expectU64(field('timeNs'), 'timeNs'),
      nextIndex: expectU64(field('nextIndex'), 'nextIndex'),
      canisters: expectArray(field('canisters'), 'canisters').map((value, i) => decodeImage(value, `canisters[${i}]`)),
    };
  } catch (error) {
    if (error instanceof IcWsError && error.code === ErrorCode.StateDirInvalid) throw error;
    throw invalid('unreadable checkpoint', error);
  }
}

function decodeImage(value: CborValue, what: string): CanisterImage {
  const field = expectRecord(value, what, [
    'id',
    'moduleHash',
    'heapLength',
    'heapPages',
    'globals',
    'stablePages',
    'stableChunks',
    'certifiedData',
    'globalTimer',
    'version',
    'settings',
  ]);
  const heap = new Uint8Array(decodeNumber(field('heapLength'), `${what}.heapLength`, MAX_HEAP_BYTES));
  for (const [i, entry] of expectArray(field('heapPages'), `${what}.heapPages`).entries()) {
    const [index, bytes] = expectArray(entry, `${what}.heapPages[${i}]`);
    const offset = decodeNumber(index, `${what}.heapPages[${i}].index`) * IMAGE_PAGE_BYTES;
    const page = expectBytes(bytes, `${what}.heapPages[${i}].bytes`, IMAGE_PAGE_BYTES);
    if (offset + page.length > heap.length) throw invalid(`${what}.heapPages[${i}] lies beyond the heap`);
    heap.set(page, offset);
  }
  const stableChunks = new Map<number, Uint8Array>();
  for (const [i, entry] of expectArray(field('stableChunks'), `${what}.stableChunks`).entries()) {
    const [index, bytes] = expectArray(entry, `${what}.stableChunks[${i}]`);
    const chunk = expectBytes(bytes, `${what}.stableChunks[${i}].bytes`, IMAGE_PAGE_BYTES);
    if (chunk.length !== IMAGE_PAGE_BYTES) throw invalid(`${what}.stableChunks[${i}] is not a whole chunk`);
    stableChunks.set(decodeNumber(index, `${what}.stableChunks[${i}].index`), chunk.slice());
  }
  return {
    id: expectBytes(field('id'), `${what}.id`, 29),
    moduleHash: expectText(field('moduleHash'), `${what}.moduleHash`, 64),
    heap,
    globals: expectArray(field('globals'), `${what}.globals`).map((g, i) => decodeGlobal(g, `${what}.globals[${i}]`)),
    stablePages: decodeNumber(field('stablePages'), `${what}.stablePages`),
    stableChunks,
    certifiedData: expectBytes(field('certifiedData'), `${what}.certifiedData`, 32),
    globalTimer: expectU64(field('globalTimer'), `${what}.globalTimer`),
    version: expectU64(field('version'), `${what}.version`),
    settings: decodeSettings(field('settings'), `${what}.settings`),
  };
}
