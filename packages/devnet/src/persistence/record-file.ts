/**
 * Checksummed records on disk, the unit of crash safety of the state directory. A record is
 * `u32 length (big-endian) || sha256(payload) || payload`; a journal is records one after another, a
 * checkpoint is a single record. A process killed mid-write leaves a short or mismatching last record, which
 * readers drop: everything before it is intact, because records are only ever appended.
 */
import { createHash } from 'node:crypto';
import { closeSync, fdatasyncSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

const HEADER_BYTES = 4 + 32;
/** Refuse to believe a length larger than this: a torn header, not a record. */
const MAX_RECORD_BYTES = 2 ** 31;

function digest(payload: Uint8Array): Buffer {
  return createHash('sha256').update(payload).digest();
}

/** `payload` framed as a record. */
export function frameRecord(payload: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
  frame.writeUInt32BE(payload.length, 0);
  digest(payload).copy(frame, 4);
  frame.set(payload, HEADER_BYTES);
  return frame;
}

/** The records of `bytes` up to the first torn or corrupt one, and how many bytes they span. */
export function parseRecords(bytes: Uint8Array): { records: Uint8Array[]; validBytes: number } {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: Uint8Array[] = [];
  let offset = 0;
  while (offset + HEADER_BYTES <= buffer.length) {
    const length = buffer.readUInt32BE(offset);
    const end = offset + HEADER_BYTES + length;
    if (length > MAX_RECORD_BYTES || end > buffer.length) break;
    const payload = buffer.subarray(offset + HEADER_BYTES, end);
    if (!digest(payload).equals(buffer.subarray(offset + 4, offset + HEADER_BYTES))) break;
    records.push(payload);
    offset = end;
  }
  return { records, validBytes: offset };
}

/** Reads every intact record of a file (an absent file has none). */
export function readRecordFile(path: string): { records: Uint8Array[]; validBytes: number; totalBytes: number } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], validBytes: 0, totalBytes: 0 };
    throw error;
  }
  return { ...parseRecords(bytes), totalBytes: bytes.length };
}

/** Makes a rename or a file creation in `dir` durable. */
export function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes `data` to `path` so that a crash leaves either the old file or the whole new one: a temporary file
 * beside it, synced, then renamed over it, then the directory synced.
 */
export function writeFileAtomically(path: string, data: Uint8Array, mode = 0o644): void {
  const temporary = `${path}.tmp-${process.pid}`;
  const fd = openSync(temporary, 'w', mode);
  try {
    writeAll(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
  syncDirectory(dirname(path));
}

/** Appends one record to an open journal and, with `sync`, waits until it is on disk. */
export function appendRecord(fd: number, payload: Uint8Array, sync: boolean): number {
  const frame = frameRecord(payload);
  writeAll(fd, frame);
  if (sync) fdatasyncSync(fd);
  return frame.length;
}

function writeAll(fd: number, data: Uint8Array): void {
  let written = 0;
  while (written < data.length) written += writeSync(fd, data, written, data.length - written);
}
