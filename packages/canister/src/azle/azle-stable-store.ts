import { ErrorCode } from 'ic-ws-protocol';
import { KeyBytes } from '../key-bytes';
import { CanisterError } from '../canister-error';
import { STABLE_MAP_NAMES, type StableMap, type StableMapName, type StableStore } from '../stable-store';
import type { AzleRuntimeApi, AzleSerializable, AzleStableBTreeMap } from './azle-api';

/** The stable memory id of each of the core's maps. Ids must be distinct, 0 to 253 (azle keeps 254 and 255). */
export type AzleMemoryIds = Record<StableMapName, number>;

/**
 * The memory ids used unless told otherwise: the top of azle's range, so an app can number its own
 * `StableBTreeMap`s from 0 up to 249 without meeting these.
 */
export const AZLE_DEFAULT_MEMORY_IDS: Readonly<AzleMemoryIds> = { clients: 250, gateways: 251, messages: 252, meta: 253 };

// Entries read per `items()` call while reloading after an upgrade, to keep each host call's reply small.
const PAGE = 1000;
const decoder = new TextDecoder();

// Keys are ASCII (principal texts, message keys, numbers), encoded without azle's TextEncoder polyfill, which
// costs five times as much in the canister, and with a gateway's shared key prefix encoded once (KeyBytes).
function utf8Keys(): AzleSerializable<string> {
  const keys = new KeyBytes();
  return { toBytes: (key) => keys.encode(key), fromBytes: (bytes) => decoder.decode(bytes) };
}

// Values are already bytes: stored as they are (azle's default would JSON-encode them).
const rawBytes: AzleSerializable<Uint8Array> = {
  toBytes: (value) => value,
  fromBytes: (bytes) => bytes.slice(),
};

/**
 * A `StableStore` over azle `StableBTreeMap<string, Uint8Array>`s, one per map, at the memory ids given
 * (default {@link AZLE_DEFAULT_MEMORY_IDS}). The same ids must be used across upgrades.
 */
export class AzleStableStore implements StableStore {
  /** The memory ids in use. */
  readonly memoryIds: Readonly<AzleMemoryIds>;
  private readonly maps = new Map<StableMapName, StableMap>();

  constructor(
    private readonly azle: Pick<AzleRuntimeApi, 'StableBTreeMap'>,
    memoryIds: Partial<AzleMemoryIds> = {},
  ) {
    this.memoryIds = { ...AZLE_DEFAULT_MEMORY_IDS, ...memoryIds };
    const ids = STABLE_MAP_NAMES.map((name) => this.memoryIds[name]);
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0 || id > 253) invalid(`azle memory ids must be integers 0 to 253, got ${id}`);
    }
    if (new Set(ids).size !== ids.length) invalid(`azle memory ids must be distinct, got ${ids.join(', ')}`);
  }

  map(name: StableMapName): StableMap {
    let map = this.maps.get(name);
    if (!map) {
      map = stableMapOver(new this.azle.StableBTreeMap(this.memoryIds[name], utf8Keys(), rawBytes));
      this.maps.set(name, map);
    }
    return map;
  }
}

function stableMapOver(tree: AzleStableBTreeMap<string, Uint8Array>): StableMap {
  return {
    get: (key) => tree.get(key),
    set: (key, value) => void tree.insert(key, value),
    delete: (key) => void tree.remove(key),
    *entries() {
      // Paged by index: the core reads entries only while rebuilding its indexes, and writes nothing meanwhile.
      for (let start = 0; ; start += PAGE) {
        const page = tree.items(start, PAGE);
        yield* page;
        if (page.length < PAGE) return;
      }
    },
  };
}

function invalid(message: string): never {
  throw new CanisterError(ErrorCode.InvalidOptions, message);
}
