/**
 * Test canister for the devnet's metering and size limits: handlers that run past the instruction limits
 * (after changing state, which must roll back), that measure themselves, and that produce or take payloads
 * of a given size.
 */
import { IDL, inspectMessage, performanceCounter, query, trap, update } from 'azle';

/**
 * Burns instructions fast: each `fill` is a `memset` the replica charges one instruction per byte
 * (`memory.fill`), so filling a cache-sized buffer over and over reaches even the 40 B update limit in seconds.
 */
function burnForever(mib: number): never {
  const buffer = new Uint8Array(mib * 1024 * 1024);
  for (let round = 0; ; round++) buffer.fill(round & 0xff);
}

export default class {
  value = 0n;

  /** Accepts every ingress message except `trappedByInspect`, for which it traps. */
  @inspectMessage
  inspect(methodName: string): boolean {
    if (methodName === 'trappedByInspect') trap('inspect_message refuses trappedByInspect');
    return true;
  }

  /** Never runs as ingress: inspect_message traps first. */
  @update([])
  trappedByInspect(): void {
    this.value += 1_000n;
  }

  @update([], IDL.Nat64)
  bump(): bigint {
    this.value += 1n;
    return this.value;
  }

  @query([], IDL.Nat64)
  get(): bigint {
    return this.value;
  }

  /** Changes the state, then never returns: the update limit must stop it and roll the change back. */
  @update([IDL.Nat32])
  bumpThenBurn(mib: number): void {
    this.value += 1n;
    burnForever(mib);
  }

  /** A query that never returns: the query limit must stop it. */
  @query([IDL.Nat32])
  burnQuery(mib: number): void {
    burnForever(mib);
  }

  /** Runs a plain loop of `iterations` steps; returns `performance_counter(0)` read before and after it. */
  @update([IDL.Nat32], IDL.Tuple(IDL.Nat64, IDL.Nat64))
  countLoop(iterations: number): [bigint, bigint] {
    const before = performanceCounter(0);
    let sum = 0;
    for (let i = 0; i < iterations; i++) sum += i % 7;
    this.value += BigInt(sum % 2);
    return [before, performanceCounter(0)];
  }

  /** Replies with `bytes` bytes (a Candid `blob` is a few bytes longer). */
  @query([IDL.Nat32], IDL.Vec(IDL.Nat8))
  blob(bytes: number): Uint8Array {
    return new Uint8Array(bytes).fill(7);
  }

  /** Update variant of `blob`. */
  @update([IDL.Nat32], IDL.Vec(IDL.Nat8))
  blobUpdate(bytes: number): Uint8Array {
    return new Uint8Array(bytes).fill(7);
  }

  /** Takes a payload; returns its length. */
  @update([IDL.Vec(IDL.Nat8)], IDL.Nat32)
  take(payload: Uint8Array): number {
    return payload.length;
  }
}
