/**
 * Keeps a state directory in step with a running subnet. At each commit point (the end of an ingress round,
 * after timers ran, after a direct install or upgrade) it compares every canister with its image as last
 * persisted, appends what changed as one journal record, and only then updates the images: a record is the
 * unit of atomicity, so a restart sees either all of a commit or none of it. When the journal has grown to
 * several times the checkpoint it writes a new checkpoint and starts an empty journal.
 */
import { bytesToHex } from '@noble/hashes/utils';
import { applyDelta, diffCanister, emptyImage, type CanisterDelta, type CanisterImage, type LiveCanisterState } from './canister-image';
import type { StateDir } from './state-dir';

/** A canister as the persister sees it at a commit point. */
export interface PersistableCanister {
  readonly id: Uint8Array;
  /**
   * Moves whenever the heap, stable memory or module changed: an unchanged count lets a commit skip comparing
   * the canister's memory with its image (its small fields are still compared).
   */
  readonly changeCount: number;
  /** The canister's state now (called at most once per commit). */
  state(): LiveCanisterState;
}

/** The subnet as the persister sees it at a commit point. */
export interface PersistableSubnet {
  readonly timeNs: bigint;
  readonly nextIndex: bigint;
  /** In install order. */
  readonly canisters: Iterable<PersistableCanister>;
  /** Canister names given by `Devnet.deploy`. */
  readonly names: ReadonlyMap<string, Uint8Array>;
}

/** What a state directory held: the subnet to bring back. */
export interface RestoredSubnet {
  readonly timeNs: bigint;
  readonly nextIndex: bigint;
  /** In install order. */
  readonly canisters: readonly CanisterImage[];
  readonly names: ReadonlyMap<string, Uint8Array>;
  /** Bytes of a torn last record cut off (a crash in the middle of a commit). */
  readonly truncatedBytes: number;
}

/** Options of {@link Persister}. */
export interface PersisterOptions {
  /** Write a new checkpoint once the journal exceeds this many bytes and twice the last checkpoint. @default 64 MiB */
  readonly checkpointAfterBytes?: number;
}

/** Defaults of {@link PersisterOptions}. */
export const PERSISTER_DEFAULTS = { checkpointAfterBytes: 64 * 1024 * 1024 } as const;

interface Entry {
  image: CanisterImage;
  /** The stable memory chunk objects the image was last brought up to date from (see `diffCanister`). */
  liveChunks: Map<number, Uint8Array>;
  changeCount: number;
}

/** Writes a subnet's commits to a state directory. */
export class Persister {
  readonly #dir: StateDir;
  readonly #checkpointAfterBytes: number;
  #entries = new Map<string, Entry>();
  #timeNs: bigint;
  #nextIndex: bigint;
  #names: Map<string, Uint8Array>;
  #records = 0;

  private constructor(dir: StateDir, restored: RestoredSubnet, options: PersisterOptions) {
    this.#dir = dir;
    this.#checkpointAfterBytes = options.checkpointAfterBytes ?? PERSISTER_DEFAULTS.checkpointAfterBytes;
    this.#timeNs = restored.timeNs;
    this.#nextIndex = restored.nextIndex;
    this.#names = new Map(restored.names);
    for (const image of restored.canisters) {
      // The restored canister's stable memory is built from these very chunk objects (never mutated).
      this.#entries.set(bytesToHex(image.id), { image, liveChunks: new Map(image.stableChunks), changeCount: Number.NaN });
    }
  }

  /** Reads the directory's checkpoint and journal: the subnet to restore, and a persister continuing it. */
  static open(dir: StateDir, options: PersisterOptions = {}): { persister: Persister; restored: RestoredSubnet } {
    const loaded = dir.load();
    const images = new Map<string, CanisterImage>();
    for (const image of loaded.checkpoint.canisters) images.set(bytesToHex(image.id), image);
    let { timeNs, nextIndex } = loaded.checkpoint;
    let names = new Map(loaded.checkpoint.names);
    for (const record of loaded.records) {
      if (record.names !== undefined) names = new Map(record.names);
      for (const delta of record.changed) {
        const key = bytesToHex(delta.id);
        const image = images.get(key) ?? emptyImage(delta.id);
        applyDelta(image, delta);
        images.set(key, image);
      }
      for (const id of record.deleted) images.delete(bytesToHex(id));
      timeNs = record.timeNs;
      nextIndex = record.nextIndex;
    }
    const restored: RestoredSubnet = { timeNs, nextIndex, canisters: [...images.values()], names, truncatedBytes: loaded.truncatedBytes };
    return { persister: new Persister(dir, restored, options), restored };
  }

  /** Journal records written since the directory was opened. */
  get records(): number {
    return this.#records;
  }

  /** The wasm module stored under `hash`. */
  readModule(hash: string): Uint8Array {
    return this.#dir.readModule(hash);
  }

  /**
   * Persists what changed since the last commit as one journal record (durable when this returns). Nothing is
   * written when nothing changed, unless `force` (to record that IC time moved). Returns whether a record was
   * written.
   */
  commit(subnet: PersistableSubnet, options: { force?: boolean } = {}): boolean {
    const changed: CanisterDelta[] = [];
    const updates: { entry: Entry; delta: CanisterDelta | undefined; live: LiveCanisterState }[] = [];
    const seen = new Set<string>();
    for (const canister of subnet.canisters) {
      const key = bytesToHex(canister.id);
      seen.add(key);
      const entry = this.#entries.get(key) ?? { image: emptyImage(canister.id), liveChunks: new Map(), changeCount: Number.NaN };
      const live = canister.state();
      const delta = diffCanister(entry.image, live, entry.liveChunks, { memory: entry.changeCount !== canister.changeCount });
      if (delta?.moduleHash !== undefined) this.#dir.storeModule(delta.moduleHash, live.wasm);
      if (delta) changed.push(delta);
      updates.push({ entry: { ...entry, changeCount: canister.changeCount }, delta, live });
      this.#entries.set(key, entry);
    }
    const deleted = [...this.#entries.keys()].filter((key) => !seen.has(key));
    const moved = subnet.timeNs !== this.#timeNs || subnet.nextIndex !== this.#nextIndex;
    const renamed = !sameNames(this.#names, subnet.names);
    if (changed.length === 0 && deleted.length === 0 && !renamed && !(options.force && moved)) {
      for (const { entry } of updates) this.#adopt(entry);
      return false;
    }
    this.#dir.append({
      timeNs: subnet.timeNs,
      nextIndex: subnet.nextIndex,
      changed,
      deleted: deleted.map((key) => (this.#entries.get(key) as Entry).image.id),
      ...(renamed ? { names: subnet.names } : {}),
    });
    // Only now that the record is on disk do the images move on: a failed write leaves them as the disk has them.
    this.#records++;
    this.#timeNs = subnet.timeNs;
    this.#nextIndex = subnet.nextIndex;
    if (renamed) this.#names = new Map(subnet.names);
    for (const key of deleted) this.#entries.delete(key);
    for (const { entry, delta, live } of updates) {
      if (delta) applyDelta(entry.image, delta);
      entry.liveChunks = new Map(live.stable.chunks);
      this.#adopt(entry);
    }
    const { journalBytes, checkpointBytes } = this.#dir.sizes;
    if (journalBytes > this.#checkpointAfterBytes && journalBytes > 2 * checkpointBytes) this.checkpoint();
    return true;
  }

  /** Writes every canister's image as a new checkpoint and starts an empty journal (startup then replays nothing). */
  checkpoint(): void {
    this.#dir.writeCheckpoint({
      timeNs: this.#timeNs,
      nextIndex: this.#nextIndex,
      names: this.#names,
      canisters: [...this.#entries.values()].map((entry) => entry.image),
    });
  }

  /** Releases the directory (after a last commit and checkpoint by the caller). */
  close(): void {
    this.#dir.close();
  }

  #adopt(entry: Entry): void {
    this.#entries.set(bytesToHex(entry.image.id), entry);
  }
}

function sameNames(a: ReadonlyMap<string, Uint8Array>, b: ReadonlyMap<string, Uint8Array>): boolean {
  if (a.size !== b.size) return false;
  for (const [name, id] of a) {
    const other = b.get(name);
    if (other === undefined || bytesToHex(other) !== bytesToHex(id)) return false;
  }
  return true;
}
