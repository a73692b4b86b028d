/**
 * Memory of retained request statuses: fills a `RequestStatusStore` with `count` completed calls made as the
 * call handler makes them (request id a fresh SHA-256, sender and canister id decoded afresh for each call, a
 * fresh reply of the counter's `increment` size, a certified round every few calls) and reports the heap
 * (V8 heap plus array-buffer memory) they hold after a full GC, per status. Part of `pnpm bench`
 * (`pnpm exec tsx bench/request-status-memory.ts` alone); the soak (`pnpm soak -- --probe`) shows the live
 * heap from outside, in a running devnet.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Principal } from '@dfinity/principal';
import { sha256 } from '@noble/hashes/sha256';
import { RequestStatusStore } from '../src/state/request-status-store';

/** Figures of one fill. */
export interface RetainedMemoryFigures {
  count: number;
  /** V8 heap used plus array-buffer memory, per retained status, bytes. */
  bytesPerStatus: number;
}

// A full GC without starting Node with --expose-gc.
function fullGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

function heldBytes(gc: () => void): number {
  gc();
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external;
}

/** Fills a store with `count` completed calls and measures what it holds per status. */
export function measureRetainedStatusMemory(count: number, canisterId: Principal): RetainedMemoryFigures {
  const gc = fullGc();
  const now = 1_700_000_000_000_000_000n;
  const canisterBytes = canisterId.toUint8Array();
  const before = heldBytes(gc);
  const store = new RequestStatusStore({ now: () => now });
  for (let i = 0; i < count; i++) {
    const requestId = sha256(crypto.getRandomValues(new Uint8Array(64)));
    store.admit({
      requestId,
      sender: Principal.fromUint8Array(Uint8Array.of(4)),
      canisterId: Principal.fromUint8Array(canisterBytes.slice()),
      ingressExpiry: now + 240_000_000_000n,
    });
    // The counter's increment reply: Candid `(nat64)`.
    store.update(requestId, { status: 'replied', reply: Uint8Array.of(0x44, 0x49, 0x44, 0x4c, 0, 1, 0x78, i & 0xff, i >> 8, 0, 0, 0, 0, 0, 0) });
    if (i % 4 === 0) store.rootHash();
  }
  store.rootHash();
  const after = heldBytes(gc);
  if (store.size !== count) throw new Error(`bench: store holds ${store.size} statuses, not ${count}`);
  return { count, bytesPerStatus: (after - before) / count };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const canisterId = Principal.fromText('lxzze-o7777-77777-aaaaa-cai');
  for (const count of [6_000, 20_000]) {
    console.log(`${count} statuses retained: ${Math.round(measureRetainedStatusMemory(count, canisterId).bytesPerStatus)} bytes of heap each`);
  }
}
