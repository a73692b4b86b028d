import { appendFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, IcWsError } from 'ic-ws-protocol';
import { IMAGE_PAGE_BYTES, type LiveCanisterState } from './canister-image';
import { Persister, type PersistableSubnet } from './persister';
import { StateDir, type DevnetKeys } from './state-dir';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'devnet-state-'));
  dirs.push(dir);
  return dir;
}

const keys = (): DevnetKeys => ({
  rootKeySecret: new Uint8Array(32).fill(1),
  subnetKeySecret: new Uint8Array(32).fill(2),
  nodeKeySecrets: [new Uint8Array(32).fill(3)],
});

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof IcWsError ? error.code : String(error);
  }
  return undefined;
}

/** A subnet of fake canisters whose heaps the test writes. */
function fakeSubnet() {
  const heaps = new Map<number, { heap: Uint8Array; count: number }>();
  let time = 1_000n;
  const names = new Map<string, Uint8Array>();
  const subnet = (): PersistableSubnet => ({
    names,
    timeNs: time,
    nextIndex: BigInt(heaps.size),
    canisters: [...heaps].map(([id, entry]) => ({
      id: Uint8Array.of(id),
      changeCount: entry.count,
      state: (): LiveCanisterState => ({
        id: Uint8Array.of(id),
        moduleHash: 'cd'.repeat(32),
        wasm: Uint8Array.of(0, 97, 115, 109, id),
        heap: entry.heap,
        globals: [entry.count],
        stable: { chunks: new Map(), pages: 0 },
        certifiedData: Uint8Array.of(entry.count & 0xff),
        globalTimer: 0n,
        version: 1n,
        settings: { controllers: [Uint8Array.of(4)], status: 'running', chunks: [] },
      }),
    })),
  });
  const write = (id: number, at: number, value: number) => {
    const entry = heaps.get(id) ?? { heap: new Uint8Array(2 * IMAGE_PAGE_BYTES), count: 0 };
    entry.heap[at] = value;
    entry.count++;
    heaps.set(id, entry);
    time += 1n;
  };
  return { subnet, write, heaps, names, remove: (id: number) => heaps.delete(id) };
}

describe('StateDir', () => {
  it('creates keys once (mode 0600), refuses a foreign non-empty folder and a second user', () => {
    const dir = tempDir();
    const first = StateDir.open(dir, keys);
    expect(first.created).toBe(true);
    expect(statSync(join(dir, 'keys.json')).mode & 0o777).toBe(0o600);
    expect(codeOf(() => StateDir.open(dir, keys))).toBe(ErrorCode.StateDirLocked);
    first.close();
    const again = StateDir.open(dir, () => {
      throw new Error('keys must not be made again');
    });
    expect(again.created).toBe(false);
    expect(again.keys.rootKeySecret).toEqual(new Uint8Array(32).fill(1));
    again.close();

    const foreign = tempDir();
    writeFileSync(join(foreign, 'notes.txt'), 'mine');
    expect(codeOf(() => StateDir.open(foreign, keys))).toBe(ErrorCode.StateDirInvalid);
    expect(readdirSync(foreign)).toEqual(['notes.txt']);
  });

  it('takes over the lock of a process that died', () => {
    const dir = tempDir();
    StateDir.open(dir, keys).close();
    writeFileSync(join(dir, 'LOCK'), '2147483646\n'); // no such process
    StateDir.open(dir, keys).close();
  });
});

describe('Persister', () => {
  it('restores what was committed, drops a torn last record, and checkpoints when the journal grows', () => {
    const dir = tempDir();
    const fake = fakeSubnet();
    const opened = Persister.open(StateDir.open(dir, keys), { checkpointAfterBytes: 1 });
    expect(opened.restored.canisters).toEqual([]);
    const { persister } = opened;
    fake.write(1, 10, 11);
    fake.write(2, 70_000, 22);
    expect(persister.commit(fake.subnet())).toBe(true);
    expect(persister.commit(fake.subnet())).toBe(false); // nothing changed
    fake.write(1, 11, 12);
    persister.commit(fake.subnet());
    fake.names.set('first', Uint8Array.of(1));
    expect(persister.commit(fake.subnet())).toBe(true); // a name alone is a change
    persister.close();

    // Reopen: the journal (or a checkpoint) brings both canisters back, byte for byte.
    const reopened = Persister.open(StateDir.open(dir, keys), { checkpointAfterBytes: 1 << 30 });
    const [one, two] = reopened.restored.canisters;
    expect([one?.id, two?.id]).toEqual([Uint8Array.of(1), Uint8Array.of(2)]);
    expect([one?.heap[10], one?.heap[11], two?.heap[70_000]]).toEqual([11, 12, 22]);
    expect(reopened.restored.timeNs).toBe(1_003n);
    expect(reopened.restored.names).toEqual(new Map([['first', Uint8Array.of(1)]]));
    expect(reopened.persister.readModule('cd'.repeat(32))).toEqual(Uint8Array.of(0, 97, 115, 109, 1));

    // A commit, then a crash in the middle of the next one: the torn record is cut off, the first kept.
    fake.write(1, 12, 13);
    reopened.persister.commit(fake.subnet());
    const journal = readdirSync(dir).find((name) => name.startsWith('journal-'))!;
    const intact = statSync(join(dir, journal)).size;
    fake.write(2, 5, 99);
    reopened.persister.commit(fake.subnet());
    truncateSync(join(dir, journal), intact + 20);
    appendFileSync(join(dir, journal), 'garbage');
    fake.remove(2);
    reopened.persister.close();

    const afterCrash = Persister.open(StateDir.open(dir, keys));
    expect(afterCrash.restored.truncatedBytes).toBe(27);
    const [c1, c2] = afterCrash.restored.canisters;
    expect(c1?.heap[12]).toBe(13);
    expect(c2?.heap[5]).toBe(0);
    // Deleting a canister is a commit too.
    afterCrash.persister.commit(fake.subnet());
    afterCrash.persister.checkpoint();
    afterCrash.persister.close();
    expect(readdirSync(dir).filter((name) => /^(checkpoint|journal)-/.test(name))).toHaveLength(2);
    const last = Persister.open(StateDir.open(dir, keys));
    expect(last.restored.canisters.map((image) => image.id)).toEqual([Uint8Array.of(1)]);
    last.persister.close();
    expect(readFileSync(join(dir, 'ic-ws-devnet-state.json'), 'utf8')).toContain('"format":1');
  });
});
