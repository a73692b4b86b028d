import { appendFile, mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Principal } from '@dfinity/principal';
import type { ClientKey } from 'ic-ws-protocol';
import type { Logger } from 'pino';
import { describeError } from '../gateway-error';
import { clientKeyId } from '../session/session-state';

/** A client key the gateway opened on a canister. */
export interface OpenKey {
  canisterId: Principal;
  clientKey: ClientKey;
  /** `clientKeyId(clientKey)`, when the caller has it (a session does): the journal then makes none. */
  clientKeyId?: string;
}

// Rewrite the file once it holds this many lines and four times more than the keys still open.
const COMPACT_AFTER_LINES = 10_000;

/**
 * The client keys this gateway has open on canisters, in an append-only text file beside its identity:
 * `open <canister> <client principal> <client nonce>` before a `ws_open` is relayed, `closed ...` once
 * `ws_close` is confirmed. A gateway restarted with the same identity (after a crash, a SIGKILL, or a
 * drain that ran out of time) reads the keys still open and closes them, so canisters do not keep queueing
 * for clients that are gone. Writes are batched per event-loop turn; a torn last line is ignored.
 *
 * One file per gateway process: two processes sharing it would close each other's clients.
 */
export class OpenKeysJournal {
  // Canister id (text) -> client key id -> key. Two levels, so a key held costs one map entry, not one more
  // string per session (a gateway holds many thousands, on few canisters).
  readonly #open = new Map<string, Map<string, OpenKey>>();
  #buffer: string[] = [];
  #flushing: Promise<void> | null = null;
  #chain: Promise<void> = Promise.resolve();
  #lines = 0;
  #failed = false;

  private constructor(
    private readonly path: string | null,
    private readonly log: Logger,
  ) {}

  /**
   * Opens the journal at `path` (`null`: keep nothing on disk), returning it and the keys a previous run
   * left open. The file is rewritten to hold just those.
   */
  static async load(path: string | null, log: Logger): Promise<{ journal: OpenKeysJournal; leftBehind: OpenKey[] }> {
    const journal = new OpenKeysJournal(path, log);
    if (path === null) return { journal, leftBehind: [] };
    let text = '';
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') log.warn({ path, err: describeError(error) }, 'cannot read the open-keys journal; starting empty');
    }
    let malformed = 0;
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const record = parseLine(line);
      if (record === null) {
        malformed += 1;
        continue;
      }
      if (record.kind === 'open') journal.#set(record.key);
      else journal.#delete(record.key);
    }
    if (malformed > 0) log.warn({ path, malformed }, 'ignored malformed lines of the open-keys journal');
    await mkdir(dirname(path), { recursive: true });
    await journal.#rewrite();
    return { journal, leftBehind: journal.#keys() };
  }

  /** Number of keys recorded open. */
  get openCount(): number {
    let count = 0;
    for (const keys of this.#open.values()) count += keys.size;
    return count;
  }

  /** Records `key` as open; resolves once it is written (or the write failed, which is logged). */
  opened(key: OpenKey): Promise<void> {
    this.#set(key);
    return this.#append(`open ${keyText(key)}`);
  }

  /** Records `key` as closed. */
  closed(key: OpenKey): void {
    if (!this.#delete(key)) return;
    void this.#append(`closed ${keyText(key)}`);
  }

  /** Resolves once everything recorded so far is written. */
  async flush(): Promise<void> {
    await this.#flushing;
    await this.#chain;
  }

  #set(key: OpenKey): void {
    const canister = key.canisterId.toText();
    let keys = this.#open.get(canister);
    if (keys === undefined) this.#open.set(canister, (keys = new Map()));
    keys.set(key.clientKeyId ?? clientKeyId(key.clientKey), key);
  }

  #delete(key: OpenKey): boolean {
    const canister = key.canisterId.toText();
    const keys = this.#open.get(canister);
    if (keys === undefined || !keys.delete(key.clientKeyId ?? clientKeyId(key.clientKey))) return false;
    if (keys.size === 0) this.#open.delete(canister);
    return true;
  }

  #keys(): OpenKey[] {
    return [...this.#open.values()].flatMap((keys) => [...keys.values()]);
  }

  #append(line: string): Promise<void> {
    if (this.path === null) return Promise.resolve();
    this.#buffer.push(line);
    // Every record made in this turn of the event loop goes out in one write.
    this.#flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      this.#flushing = null;
      const lines = this.#buffer;
      this.#buffer = [];
      return this.#enqueue(() => this.#write(lines));
    });
    return this.#flushing;
  }

  #enqueue(task: () => Promise<void>): Promise<void> {
    this.#chain = this.#chain.then(task);
    return this.#chain;
  }

  async #write(lines: string[]): Promise<void> {
    try {
      await appendFile(this.path!, `${lines.join('\n')}\n`, { mode: 0o600 });
      this.#lines += lines.length;
    } catch (error) {
      this.#reportFailure(error);
    }
    if (this.#lines >= COMPACT_AFTER_LINES && this.#lines >= 4 * this.openCount) await this.#rewrite();
  }

  // Replaces the file with the keys open now (write a temporary file, then rename over the old one).
  async #rewrite(): Promise<void> {
    const path = this.path!;
    const lines = this.#keys().map((key) => `open ${keyText(key)}\n`);
    const temporary = `${path}.tmp`;
    try {
      const file = await open(temporary, 'w', 0o600);
      try {
        await file.writeFile(lines.join(''));
      } finally {
        await file.close();
      }
      await rename(temporary, path);
      this.#lines = lines.length;
    } catch (error) {
      this.#reportFailure(error);
    }
  }

  #reportFailure(error: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    this.log.error({ path: this.path, err: describeError(error) }, 'cannot write the open-keys journal: a restart will not close the keys of this run');
  }
}

/** A key as the file holds it: `<canister> <client principal> <client nonce>`. */
function keyText(key: OpenKey): string {
  return `${key.canisterId.toText()} ${key.clientKey.client_principal.toText()} ${key.clientKey.client_nonce}`;
}

function parseLine(line: string): { kind: 'open' | 'closed'; key: OpenKey } | null {
  const parts = line.split(' ');
  if (parts.length !== 4 || (parts[0] !== 'open' && parts[0] !== 'closed') || !/^\d{1,20}$/.test(parts[3]!)) return null;
  try {
    const nonce = BigInt(parts[3]!);
    if (nonce >= 1n << 64n) return null;
    return {
      kind: parts[0],
      key: { canisterId: Principal.fromText(parts[1]!), clientKey: { client_principal: Principal.fromText(parts[2]!), client_nonce: nonce } },
    };
  } catch {
    // A principal that does not parse: a torn or foreign line, skipped like any malformed one.
    return null;
  }
}
