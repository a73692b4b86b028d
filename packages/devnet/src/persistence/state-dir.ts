/**
 * The state directory's files: a marker, the keys, the wasm modules by hash, one checkpoint and the journal
 * of what happened since it. Every file is either written whole and renamed into place (marker, keys,
 * modules, checkpoints) or appended with checksummed records (the journal), so a process killed at any point
 * leaves the last committed state readable.
 *
 * ```
 * <dir>/ic-ws-devnet-state.json   marker: format version
 * <dir>/keys.json                  root key, subnet key and node key secrets (mode 0600)
 * <dir>/LOCK                       pid of the devnet using the directory
 * <dir>/modules/<sha256>.wasm      installed wasm modules
 * <dir>/checkpoint-<n>.cbor        every canister whole (one record)
 * <dir>/journal-<n>.log            records committed after checkpoint n
 * ```
 */
import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils';
import { ErrorCode, IcWsError } from 'ic-ws-protocol';
import { appendRecord, readRecordFile, writeFileAtomically, frameRecord } from './record-file';
import { decodeCheckpoint, decodeJournalRecord, encodeCheckpoint, encodeJournalRecord, STATE_FORMAT_VERSION, type Checkpoint, type JournalRecord } from './state-codec';

/** The secrets that make a restarted devnet the same IC: certificates keep verifying, node ids stay. */
export interface DevnetKeys {
  /** 32-byte BLS secret of the root key. */
  readonly rootKeySecret: Uint8Array;
  /** 32-byte BLS secret of the application subnet's key (used when certificates carry a delegation). */
  readonly subnetKeySecret: Uint8Array;
  /** 32-byte Ed25519 seeds of the nodes that sign query responses. */
  readonly nodeKeySecrets: readonly Uint8Array[];
}

/** What the directory held when it was opened. */
export interface LoadedState {
  readonly checkpoint: Checkpoint;
  /** Records committed after the checkpoint, in order. */
  readonly records: readonly JournalRecord[];
  /** Bytes of a torn last record that were cut off (a crash in the middle of a commit). */
  readonly truncatedBytes: number;
}

const MARKER = 'ic-ws-devnet-state.json';
const KEYS = 'keys.json';
const LOCK = 'LOCK';
const MODULES = 'modules';
const CHECKPOINT = /^checkpoint-(\d+)\.cbor$/;
/** What an interrupted setup of a new directory may have left: it is set up again from scratch. */
const SETUP_LEFTOVER = /^(LOCK|keys\.json|modules|checkpoint-0\.cbor|journal-0\.log)$|\.tmp-\d+$/;

/** Directories open in this process: a second devnet on the same directory is refused like another process. */
const openHere = new Set<string>();

function stateError(code: ErrorCode, message: string, cause?: unknown): IcWsError {
  return new IcWsError(code, message, cause === undefined ? undefined : { cause });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** An open state directory, locked for this devnet until `close()`. */
export class StateDir {
  readonly path: string;
  readonly keys: DevnetKeys;
  /** Whether the directory was created (or was empty) when opened. */
  readonly created: boolean;
  readonly #sync: boolean;
  #journalNumber = 0;
  #journalFd: number | undefined;
  #journalBytes = 0;
  #checkpointBytes = 0;
  #closed = false;

  private constructor(path: string, keys: DevnetKeys, created: boolean, sync: boolean) {
    this.path = path;
    this.keys = keys;
    this.created = created;
    this.#sync = sync;
  }

  /**
   * Opens (creating it when absent or empty) and locks a state directory. `newKeys` makes the keys of a new
   * directory. With `sync` (the default), every commit waits for the disk, so a power loss loses nothing
   * acknowledged either; without it, a killed process still loses nothing, the OS having the data.
   * @throws IcWsError `STATE_DIR_LOCKED` when another devnet uses it, `STATE_DIR_INVALID` when it is not a
   * devnet state directory or cannot be read.
   */
  static open(path: string, newKeys: () => DevnetKeys, options: { sync?: boolean } = {}): StateDir {
    const dir = resolve(path);
    mkdirSync(dir, { recursive: true });
    // The marker is written last when a directory is set up: without it, only a setup's own files may be there.
    const created = !existsSync(join(dir, MARKER));
    const foreign = readdirSync(dir).filter((name) => !SETUP_LEFTOVER.test(name));
    if (created && foreign.length > 0) {
      throw stateError(ErrorCode.StateDirInvalid, `${dir} is not an ic-ws-devnet state directory (no ${MARKER}) and not empty; refusing to write into it`);
    }
    StateDir.#lock(dir);
    try {
      if (created) {
        mkdirSync(join(dir, MODULES), { recursive: true });
        writeFileAtomically(join(dir, KEYS), encodeKeys(newKeys()), 0o600);
      }
      const stateDir = new StateDir(dir, decodeKeys(readFileSync(join(dir, KEYS), 'utf8'), dir), created, options.sync ?? true);
      if (created) {
        stateDir.writeCheckpoint({ journal: 0, timeNs: 0n, nextIndex: 0n, canisters: [], names: new Map() });
        writeFileAtomically(join(dir, MARKER), new TextEncoder().encode(`${JSON.stringify({ format: STATE_FORMAT_VERSION, by: 'ic-ws-devnet' })}\n`));
      }
      const marker = JSON.parse(readFileSync(join(dir, MARKER), 'utf8')) as { format?: unknown };
      if (marker.format !== STATE_FORMAT_VERSION) {
        throw stateError(ErrorCode.StateDirInvalid, `${dir} has state format ${String(marker.format)}; this ic-ws-devnet reads format ${STATE_FORMAT_VERSION}`);
      }
      return stateDir;
    } catch (error) {
      StateDir.#unlock(dir);
      if (error instanceof IcWsError) throw error;
      throw stateError(ErrorCode.StateDirInvalid, `cannot open state directory ${dir}: ${String(error)}`, error);
    }
  }

  static #lock(dir: string): void {
    const lockPath = join(dir, LOCK);
    if (openHere.has(dir)) throw stateError(ErrorCode.StateDirLocked, `state directory ${dir} is in use by another devnet in this process`);
    if (existsSync(lockPath)) {
      const holder = Number.parseInt(readFileSync(lockPath, 'utf8'), 10);
      if (Number.isInteger(holder) && holder !== process.pid && processAlive(holder)) {
        throw stateError(ErrorCode.StateDirLocked, `state directory ${dir} is in use by process ${holder}; stop that devnet first`);
      }
      // A lock left by a process that died (kill -9): take it over.
    }
    writeFileSync(lockPath, `${process.pid}\n`);
    openHere.add(dir);
  }

  static #unlock(dir: string): void {
    openHere.delete(dir);
    rmSync(join(dir, LOCK), { force: true });
  }

  /** Bytes appended to the journal since the last checkpoint, and the size of that checkpoint. */
  get sizes(): { journalBytes: number; checkpointBytes: number } {
    return { journalBytes: this.#journalBytes, checkpointBytes: this.#checkpointBytes };
  }

  /**
   * Reads the newest intact checkpoint and the records after it, cuts off a torn last record, removes files
   * a crash left behind, and opens the journal for appending.
   */
  load(): LoadedState {
    const numbers = readdirSync(this.path)
      .map((name) => CHECKPOINT.exec(name)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number)
      .sort((a, b) => b - a);
    let checkpoint: Checkpoint | undefined;
    let problem: unknown;
    for (const n of numbers) {
      const { records } = readRecordFile(join(this.path, `checkpoint-${n}.cbor`));
      if (records.length !== 1) continue; // torn: the previous checkpoint is still there
      try {
        checkpoint = decodeCheckpoint(records[0] as Uint8Array);
        this.#checkpointBytes = (records[0] as Uint8Array).length;
        break;
      } catch (error) {
        problem = error;
      }
    }
    if (checkpoint === undefined) {
      throw stateError(ErrorCode.StateDirInvalid, `state directory ${this.path} holds no readable checkpoint`, problem);
    }
    const journalPath = join(this.path, `journal-${checkpoint.journal}.log`);
    const { records, validBytes, totalBytes } = readRecordFile(journalPath);
    this.#openJournal(checkpoint.journal, validBytes);
    this.#removeStale(checkpoint.journal);
    return { checkpoint, records: records.map(decodeJournalRecord), truncatedBytes: totalBytes - validBytes };
  }

  /** Appends one commit to the journal (durably with `sync`). */
  append(record: JournalRecord): void {
    if (this.#journalFd === undefined) throw stateError(ErrorCode.DevnetClosed, 'state directory: journal not open');
    this.#journalBytes += appendRecord(this.#journalFd, encodeJournalRecord(record), this.#sync);
  }

  /** Writes `checkpoint` and starts its (empty) journal, then deletes the previous checkpoint and journal. */
  writeCheckpoint(checkpoint: Omit<Checkpoint, 'journal'> & { journal?: number }): void {
    const number = checkpoint.journal ?? this.#journalNumber + 1;
    const bytes = encodeCheckpoint({ ...checkpoint, journal: number });
    writeFileAtomically(join(this.path, `checkpoint-${number}.cbor`), frameRecord(bytes));
    this.#checkpointBytes = bytes.length;
    this.#openJournal(number, 0);
    this.#removeStale(number);
  }

  /** Stores a wasm module under its hash (once). */
  storeModule(hash: string, wasm: Uint8Array): void {
    const path = join(this.path, MODULES, `${hash}.wasm`);
    if (!existsSync(path)) writeFileAtomically(path, wasm);
  }

  /** A stored wasm module. */
  readModule(hash: string): Uint8Array {
    try {
      return new Uint8Array(readFileSync(join(this.path, MODULES, `${hash}.wasm`)));
    } catch (error) {
      throw stateError(ErrorCode.StateDirInvalid, `state directory ${this.path}: module ${hash} is missing`, error);
    }
  }

  /** Closes the journal and releases the lock. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#journalFd !== undefined) closeSync(this.#journalFd);
    this.#journalFd = undefined;
    StateDir.#unlock(this.path);
  }

  #openJournal(number: number, validBytes: number): void {
    if (this.#journalFd !== undefined) closeSync(this.#journalFd);
    const fd = openSync(join(this.path, `journal-${number}.log`), 'a+');
    // A torn record at the end would hide every record appended after it: cut it off first.
    ftruncateSync(fd, validBytes);
    this.#journalFd = fd;
    this.#journalNumber = number;
    this.#journalBytes = validBytes;
  }

  /** Deletes checkpoints and journals older than `current`, and temporary files of interrupted writes. */
  #removeStale(current: number): void {
    for (const name of readdirSync(this.path)) {
      const number = /^(?:checkpoint|journal)-(\d+)\./.exec(name)?.[1];
      if ((number !== undefined && Number(number) !== current) || name.includes('.tmp-')) rmSync(join(this.path, name), { force: true });
    }
    for (const name of readdirSync(join(this.path, MODULES))) {
      if (name.includes('.tmp-')) rmSync(join(this.path, MODULES, name), { force: true });
    }
  }
}

function encodeKeys(keys: DevnetKeys): Uint8Array {
  const json = {
    rootKeySecret: bytesToHex(keys.rootKeySecret),
    subnetKeySecret: bytesToHex(keys.subnetKeySecret),
    nodeKeySecrets: keys.nodeKeySecrets.map((secret) => bytesToHex(secret)),
  };
  return new TextEncoder().encode(`${JSON.stringify(json, null, 2)}\n`);
}

function decodeKeys(text: string, dir: string): DevnetKeys {
  const bad = (why: string) => stateError(ErrorCode.StateDirInvalid, `state directory ${dir}: ${KEYS} ${why}`);
  let json: { rootKeySecret?: unknown; subnetKeySecret?: unknown; nodeKeySecrets?: unknown };
  try {
    json = JSON.parse(text) as typeof json;
  } catch (error) {
    throw stateError(ErrorCode.StateDirInvalid, `state directory ${dir}: ${KEYS} is not JSON`, error);
  }
  const secret = (value: unknown, what: string): Uint8Array => {
    if (typeof value !== 'string' || !/^[0-9a-f]{64}$/.test(value)) throw bad(`has no valid ${what}`);
    return hexToBytes(value);
  };
  if (!Array.isArray(json.nodeKeySecrets) || json.nodeKeySecrets.length === 0) throw bad('has no node keys');
  return {
    rootKeySecret: secret(json.rootKeySecret, 'rootKeySecret'),
    subnetKeySecret: secret(json.subnetKeySecret, 'subnetKeySecret'),
    nodeKeySecrets: json.nodeKeySecrets.map((value, i) => secret(value, `nodeKeySecrets[${i}]`)),
  };
}
