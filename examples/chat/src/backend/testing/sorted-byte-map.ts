import type { Serializer } from '../stable-serializers';

/**
 * An in-memory stand-in for azle's `StableBTreeMap` for unit tests: it stores serialized keys and values and
 * orders keys by their bytes, as the real map does, so key encodings are tested for their order too.
 */
export class SortedByteMap<K, V> {
  private readonly entries = new Map<string, Uint8Array>();

  constructor(
    private readonly keys_: Serializer<K>,
    private readonly values_: Serializer<V>,
  ) {}

  get(key: K): V | undefined {
    const bytes = this.entries.get(hex(this.keys_.toBytes(key)));
    return bytes === undefined ? undefined : this.values_.fromBytes(bytes);
  }

  insert(key: K, value: V): V | undefined {
    const previous = this.get(key);
    this.entries.set(hex(this.keys_.toBytes(key)), this.values_.toBytes(value));
    return previous;
  }

  remove(key: K): V | undefined {
    const previous = this.get(key);
    this.entries.delete(hex(this.keys_.toBytes(key)));
    return previous;
  }

  keys(startIndex = 0, length = Infinity): K[] {
    return this.sorted(startIndex, length).map(([key]) => this.keys_.fromBytes(unhex(key)));
  }

  values(startIndex = 0, length = Infinity): V[] {
    return this.sorted(startIndex, length).map(([, value]) => this.values_.fromBytes(value));
  }

  len(): number {
    return this.entries.size;
  }

  private sorted(startIndex: number, length: number): [string, Uint8Array][] {
    // Lowercase hex of equal-length prefixes sorts like the bytes.
    return [...this.entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).slice(startIndex, startIndex + length);
  }
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function unhex(text: string): Uint8Array {
  return Uint8Array.from(text.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}
