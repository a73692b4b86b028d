import type { Principal } from '@dfinity/principal';
import type { StableStore } from './stable-store';

/** An opaque handle for a timer armed with {@link CanisterHost.setTimer}. */
export type TimerId = unknown;

/**
 * Everything the runtime-neutral core needs from the canister runtime. The Azle binding implements it with
 * `msgCaller`, `time`, `certifiedDataSet`, `dataCertificate`, `setTimer`/`clearTimer` and `StableBTreeMap`s;
 * tests use `FakeCanisterHost`. The core never calls the runtime directly, so it runs unchanged in both.
 */
export interface CanisterHost {
  /** The caller of the current update or query. Used only when an entry point is not given a caller. */
  caller(): Principal;
  /** Current IC time in nanoseconds since the Unix epoch. */
  time(): bigint;
  /** Sets the canister's certified data (32 bytes). Only valid in init, updates, timers and post_upgrade. */
  certifiedDataSet(data: Uint8Array): void;
  /** The certificate of the certified data; only available in queries (`undefined` elsewhere). */
  dataCertificate(): Uint8Array | undefined;
  /**
   * Runs `callback` once after `delayMs`. The callback runs as its own execution (a timer on the IC), so the
   * core flushes certified data at its end like any entry point. Azle timers take whole seconds: the binding
   * rounds up.
   */
  setTimer(delayMs: number, callback: () => void): TimerId;
  /** Cancels a timer armed with {@link setTimer}; unknown or fired ids are ignored. */
  clearTimer(id: TimerId): void;
  /** The stable storage that holds all connection state across upgrades. */
  readonly stableStore: StableStore;
}
