/**
 * The devnet's notion of IC time. Real mode follows the wall clock; manual mode stands still until
 * `advance()` moves it, so tests decide exactly when timers become due.
 */

/** How a `Clock` moves. */
export type ClockMode = 'real' | 'manual';

/** Options of `Clock`. */
export interface ClockOptions {
  /** @default 'real' */
  mode?: ClockMode;
  /** Start time in ms since the epoch (manual mode). @default Date.now() */
  startMs?: number;
  /** Wall clock in ms since the epoch, injectable for tests. @default Date.now */
  wallClock?: () => number;
  /**
   * IC time already reached (a restart from a state directory): the clock starts no earlier. In real mode a
   * wall clock behind it is offset forward, so time keeps moving. @default 0n
   */
  notBeforeNs?: bigint;
}

const NS_PER_MS = 1_000_000n;

/** IC time in nanoseconds; never goes backwards. */
export class Clock {
  readonly mode: ClockMode;
  private readonly wallClock: () => number;
  /** Manual mode: the current time. Real mode: an offset added by `advance()`. */
  private manualNs: bigint;
  private offsetNs = 0n;
  private lastNs = 0n;

  constructor(options: ClockOptions = {}) {
    this.mode = options.mode ?? 'real';
    this.wallClock = options.wallClock ?? Date.now;
    this.manualNs = BigInt(Math.floor(options.startMs ?? this.wallClock())) * NS_PER_MS;
    const notBefore = options.notBeforeNs ?? 0n;
    if (this.mode === 'manual' && this.manualNs < notBefore) this.manualNs = notBefore;
    const wallNs = BigInt(Math.floor(this.wallClock() * 1_000_000));
    if (this.mode === 'real' && wallNs < notBefore) this.offsetNs = notBefore - wallNs;
    this.lastNs = notBefore;
  }

  /** A manual clock starting at `startMs` (default: now). */
  static manual(startMs?: number): Clock {
    return new Clock(startMs === undefined ? { mode: 'manual' } : { mode: 'manual', startMs });
  }

  /** Nanoseconds since the epoch, non-decreasing across calls. */
  now(): bigint {
    const raw =
      this.mode === 'manual' ? this.manualNs : BigInt(Math.floor(this.wallClock() * 1_000_000)) + this.offsetNs;
    if (raw > this.lastNs) this.lastNs = raw;
    return this.lastNs;
  }

  /** Moves time forward by `ms` (in real mode too, as a permanent offset). */
  advance(ms: number): void {
    const delta = BigInt(Math.round(ms * 1_000_000));
    if (delta < 0n) throw new RangeError('Clock.advance: time cannot go backwards');
    if (this.mode === 'manual') this.manualNs += delta;
    else this.offsetNs += delta;
  }
}
