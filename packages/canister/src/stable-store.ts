/**
 * The stable storage the core keeps its state in. It is deliberately tiny, string keys to byte values, so the
 * Azle binding can back each map with a `StableBTreeMap<string, Uint8Array>` and tests with plain `Map`s.
 * Values are bytes (not objects) so that a record changed in the heap but never written back is a bug the
 * in-memory store exposes as surely as stable memory does.
 */
export interface StableMap {
  /** The value under `key`, or `undefined`. */
  get(key: string): Uint8Array | undefined;
  /** Inserts or replaces the value under `key`. */
  set(key: string, value: Uint8Array): void;
  /** Removes `key`; a missing key is not an error. */
  delete(key: string): void;
  /** Every entry, in any order. Read once, when indexes are rebuilt after an upgrade. */
  entries(): Iterable<readonly [string, Uint8Array]>;
}

/**
 * The names of the maps the core uses. A binding gives each its own stable memory region (for example
 * memory ids 0 to 3 in this order).
 */
export const STABLE_MAP_NAMES = ['clients', 'gateways', 'messages', 'meta'] as const;

/** One of {@link STABLE_MAP_NAMES}. */
export type StableMapName = (typeof STABLE_MAP_NAMES)[number];

/** A set of named {@link StableMap}s; the same name must always give the same map. */
export interface StableStore {
  map(name: StableMapName): StableMap;
}

/**
 * A {@link StableStore} in heap memory: for tests and for canisters that accept losing every connection on
 * upgrade. Values are copied on the way in and out, as a real stable store would.
 */
export class MemoryStableStore implements StableStore {
  private readonly maps = new Map<StableMapName, MemoryStableMap>();

  map(name: StableMapName): StableMap {
    let map = this.maps.get(name);
    if (!map) {
      map = new MemoryStableMap();
      this.maps.set(name, map);
    }
    return map;
  }

  /** Number of entries in one map (a test probe of what is kept in stable storage). */
  size(name: StableMapName): number {
    return this.maps.get(name)?.size ?? 0;
  }
}

class MemoryStableMap implements StableMap {
  private readonly entriesByKey = new Map<string, Uint8Array>();

  get size(): number {
    return this.entriesByKey.size;
  }

  get(key: string): Uint8Array | undefined {
    return this.entriesByKey.get(key)?.slice();
  }

  set(key: string, value: Uint8Array): void {
    this.entriesByKey.set(key, value.slice());
  }

  delete(key: string): void {
    this.entriesByKey.delete(key);
  }

  *entries(): Iterable<readonly [string, Uint8Array]> {
    for (const [key, value] of this.entriesByKey) yield [key, value.slice()];
  }
}
