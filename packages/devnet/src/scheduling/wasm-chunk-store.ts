/**
 * A canister's Wasm chunk store (`upload_chunk`, `stored_chunks`, `clear_chunk_store`, read by
 * `install_chunked_code`): chunks of at most 1 MiB, at most 100 of them, each known by its sha256. Limits and
 * wording follow the replica's `WasmChunkStore` (dfinity/ic rs/replicated_state/src/canister_state/system_state/
 * wasm_chunk_store.rs) and `WasmSource` (rs/execution_environment/src/canister_manager/types.rs).
 */
import { createHash } from 'node:crypto';

/** Largest chunk the store accepts: 1 MiB. */
export const WASM_CHUNK_BYTES = 1024 * 1024;
/** The store's capacity: 100 MiB, so 100 chunks. */
export const WASM_CHUNK_STORE_BYTES = 100 * WASM_CHUNK_BYTES;

/** Formats bytes as Rust's `{:?}` of a byte slice does (`[1, 2, 3]`), as the replica's messages show hashes. */
export function debugBytes(bytes: Uint8Array): string {
  return `[${Array.from(bytes).join(', ')}]`;
}

function sha256(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(bytes).digest());
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** One canister's chunks, in upload order. */
export class WasmChunkStore {
  readonly #chunks = new Map<string, Uint8Array>();

  /** Every chunk, in upload order (what persistence stores). */
  get chunks(): Uint8Array[] {
    return [...this.#chunks.values()];
  }

  /** Replaces the contents (a restart restoring the store). */
  restore(chunks: readonly Uint8Array[]): void {
    this.#chunks.clear();
    for (const chunk of chunks) this.#chunks.set(hex(sha256(chunk)), chunk);
  }

  /** Stores `chunk`; returns its hash, or the replica's message when it does not fit. */
  upload(chunk: Uint8Array): { hash: Uint8Array } | { error: string } {
    const hash = sha256(chunk);
    if (this.#chunks.has(hex(hash))) return { hash };
    if (chunk.length > WASM_CHUNK_BYTES) {
      return { error: `Wasm chunk size ${chunk.length} exceeds the maximum chunk size of ${WASM_CHUNK_BYTES}` };
    }
    if (this.#chunks.size * WASM_CHUNK_BYTES >= WASM_CHUNK_STORE_BYTES) {
      return {
        error: `Wasm chunk store has already reached maximum capacity of ${WASM_CHUNK_STORE_BYTES} bytes or the maximum number of entries, ${WASM_CHUNK_STORE_BYTES / WASM_CHUNK_BYTES}`,
      };
    }
    this.#chunks.set(hex(hash), chunk.slice());
    return { hash };
  }

  /** The hashes of the stored chunks. */
  hashes(): Uint8Array[] {
    return [...this.#chunks.keys()].map((key) => Uint8Array.from(Buffer.from(key, 'hex')));
  }

  clear(): void {
    this.#chunks.clear();
  }

  /** Bytes held (for `canister_status`'s memory metrics). */
  get size(): number {
    let total = 0;
    for (const chunk of this.#chunks.values()) total += chunk.length;
    return total;
  }

  /**
   * The module made of the chunks `hashes` in that order, checked against `moduleHash` (32 bytes); or the
   * replica's message for a missing chunk, a malformed chunk hash or a module whose hash differs.
   */
  assemble(hashes: readonly Uint8Array[], moduleHash: Uint8Array): { wasm: Uint8Array } | { error: string } {
    const parts: Uint8Array[] = [];
    for (const hash of hashes) {
      if (hash.length !== 32) return { error: 'Chunk hash is invalid. The length is not 32' };
      const chunk = this.#chunks.get(hex(hash));
      if (chunk === undefined) return { error: `Chunk hash ${debugBytes(hash)} was not found` };
      parts.push(chunk);
    }
    const wasm = new Uint8Array(Buffer.concat(parts));
    const actual = sha256(wasm);
    if (hex(actual) !== hex(moduleHash)) {
      return { error: `Wasm module hash ${debugBytes(actual)} does not match given hash ${debugBytes(moduleHash)}` };
    }
    return { wasm };
  }
}
