import { Principal } from '@dfinity/principal';
import type { CanisterHost, TimerId } from '../host';
import { MemoryStableStore, type StableStore } from '../stable-store';

interface PendingTimer {
  readonly id: number;
  readonly dueNs: bigint;
  readonly callback: () => void;
}

const NS_PER_MS = 1_000_000n;

/**
 * A {@link CanisterHost} for tests: a clock that moves only when told, timers that fire from
 * {@link advance}, a recording of every certified data set, and a certificate stand-in that queries return.
 * Two hosts can share one stable store to simulate an upgrade (timers and heap are lost, the store is not).
 */
export class FakeCanisterHost implements CanisterHost {
  readonly stableStore: StableStore;
  /** Every value passed to `certifiedDataSet`, in order. */
  readonly certifiedDataHistory: Uint8Array[] = [];
  /** The caller `caller()` returns. */
  currentCaller: Principal = Principal.anonymous();
  /** Whether the current execution is a query (`dataCertificate` answers only then). */
  inQuery = false;
  /** Added to every timer armed from now on, like a busy subnet running timers late. */
  timerLatencyMs = 0;
  private nowNs: bigint;
  private timers: PendingTimer[] = [];
  private nextTimerId = 1;

  constructor(options: { stableStore?: StableStore; nowNs?: bigint } = {}) {
    this.stableStore = options.stableStore ?? new MemoryStableStore();
    this.nowNs = options.nowNs ?? 1_700_000_000_000_000_000n;
  }

  caller(): Principal {
    return this.currentCaller;
  }

  time(): bigint {
    return this.nowNs;
  }

  certifiedDataSet(data: Uint8Array): void {
    if (this.inQuery) throw new Error('certifiedDataSet called in a query');
    this.certifiedDataHistory.push(data.slice());
  }

  /** The last certified data set, or undefined. */
  get certifiedData(): Uint8Array | undefined {
    return this.certifiedDataHistory[this.certifiedDataHistory.length - 1];
  }

  /**
   * A stand-in for the IC certificate: the bytes `CERT:` followed by the certified data, so a test can check
   * that a reply carries the certificate of the current certified data.
   */
  dataCertificate(): Uint8Array | undefined {
    if (!this.inQuery) return undefined;
    const data = this.certifiedData ?? new Uint8Array();
    const out = new Uint8Array(5 + data.length);
    out.set([0x43, 0x45, 0x52, 0x54, 0x3a]);
    out.set(data, 5);
    return out;
  }

  /** Runs `fn` as a query: `dataCertificate` answers and `certifiedDataSet` throws. */
  query<T>(fn: () => T): T {
    this.inQuery = true;
    try {
      return fn();
    } finally {
      this.inQuery = false;
    }
  }

  setTimer(delayMs: number, callback: () => void): TimerId {
    const id = this.nextTimerId++;
    const delay = Math.max(0, Math.ceil(delayMs)) + this.timerLatencyMs;
    this.timers.push({ id, dueNs: this.nowNs + BigInt(delay) * NS_PER_MS, callback });
    return id;
  }

  clearTimer(id: TimerId): void {
    this.timers = this.timers.filter((timer) => timer.id !== id);
  }

  /** Number of armed timers. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /**
   * Moves the clock forward by `ms`, firing due timers in order (each at its due time, timers they arm
   * included). With `maxTimers`, stops after firing that many, the clock at the last one fired (or at the
   * target if none is due): a way to interrupt a multi-execution round, as an upgrade can.
   */
  advance(ms: number, maxTimers = Infinity): void {
    const target = this.nowNs + BigInt(ms) * NS_PER_MS;
    for (let fired = 0; ; fired++) {
      if (fired >= maxTimers) return;
      const next = this.timers.reduce<PendingTimer | undefined>(
        (best, timer) => (timer.dueNs <= target && (!best || timer.dueNs < best.dueNs || (timer.dueNs === best.dueNs && timer.id < best.id)) ? timer : best),
        undefined,
      );
      if (!next) break;
      this.timers = this.timers.filter((timer) => timer !== next);
      if (next.dueNs > this.nowNs) this.nowNs = next.dueNs;
      next.callback();
    }
    this.nowNs = target;
  }

  /** Drops every timer, as an upgrade does. */
  dropTimers(): void {
    this.timers = [];
  }
}
