import type { CanisterHost, TimerId } from './host';
import { decodeCursor, decodeTimestamp, encodeCursor, encodeTimestamp } from './stable-records';
import type { StableMap } from './stable-store';

/** What one ack round does; implemented by the canister core. */
export interface AckRound {
  /**
   * Queues AckMessages for up to `limit` clients, in client-id order after `after` (from the first client, and
   * after the periodic clean-up, when `after` is undefined). Returns the last id handled if clients remain.
   */
  sendAcks(after: string | undefined, limit: number): string | undefined;
  /**
   * Closes clients that have not sent a keep-alive within the timeout, in client-id order after `after`, at
   * most `limit` of them. Returns the last id examined if clients remain.
   */
  checkKeepAlives(after: string | undefined, limit: number): string | undefined;
}

/** Timing of the rounds. */
export interface AckSchedule {
  intervalMs: number;
  keepAliveTimeoutMs: number;
  /** Most acks queued, or clients closed, in one execution; the rest continues in follow-up timers. */
  clientsPerExecution: number;
}

const NEXT_ACK_KEY = 'nextAckNs';
const KEEP_ALIVE_CHECK_KEY = 'keepAliveCheckNs';
const ACK_CURSOR_KEY = 'ackCursor';
const CHECK_CURSOR_KEY = 'keepAliveCursor';
const NS_PER_MS = 1_000_000n;

/**
 * Runs ack rounds every `intervalMs` and the keep-alive check `keepAliveTimeoutMs` after each round has
 * finished. A round over many clients is split across executions (each one timer callback), so no single
 * execution handles more than `clientsPerExecution` clients; the check waits for the last part, so
 * every client gets the full timeout to answer. Due times and the round's cursor live in stable storage, so
 * after an upgrade (timers do not survive one) the schedule resumes where it was instead of restarting, which
 * could leave clients without an ack for longer than they allow.
 */
export class AckScheduler {
  private ackTimer: TimerId | undefined;
  private continueTimer: TimerId | undefined;
  private checkTimer: TimerId | undefined;
  private checkContinueTimer: TimerId | undefined;

  constructor(
    private readonly host: CanisterHost,
    private readonly meta: StableMap,
    private readonly schedule: AckSchedule,
    private readonly round: AckRound,
    /** Runs a timer callback as one batch (certified data set once at its end). */
    private readonly runBatch: (fn: () => void) => void,
  ) {}

  /** Arms the timers from the persisted schedule (init and post_upgrade). */
  start(): void {
    this.stop();
    const now = this.host.time();
    let nextAck = this.readTime(NEXT_ACK_KEY);
    if (nextAck === undefined) {
      nextAck = now + BigInt(this.schedule.intervalMs) * NS_PER_MS;
      this.meta.set(NEXT_ACK_KEY, encodeTimestamp(nextAck));
    }
    this.ackTimer = this.host.setTimer(delayMs(nextAck, now), () => this.runBatch(() => this.startRound()));
    const cursor = this.meta.get(ACK_CURSOR_KEY);
    if (cursor !== undefined) this.armContinue(decodeCursor(cursor));
    const check = this.readTime(KEEP_ALIVE_CHECK_KEY);
    if (check !== undefined) this.armCheck(delayMs(check, now));
    const checkCursor = this.meta.get(CHECK_CURSOR_KEY);
    if (checkCursor !== undefined) this.armCheckContinue(decodeCursor(checkCursor));
  }

  /** Cancels every timer. */
  stop(): void {
    for (const timer of [this.ackTimer, this.continueTimer, this.checkTimer, this.checkContinueTimer]) {
      if (timer !== undefined) this.host.clearTimer(timer);
    }
    this.ackTimer = this.continueTimer = this.checkTimer = this.checkContinueTimer = undefined;
  }

  private startRound(): void {
    const now = this.host.time();
    this.meta.set(NEXT_ACK_KEY, encodeTimestamp(now + BigInt(this.schedule.intervalMs) * NS_PER_MS));
    this.ackTimer = this.host.setTimer(this.schedule.intervalMs, () => this.runBatch(() => this.startRound()));
    this.continueRound(undefined);
  }

  private continueRound(after: string | undefined): void {
    this.continueTimer = undefined;
    const last = this.round.sendAcks(after, this.schedule.clientsPerExecution);
    if (last !== undefined) {
      this.meta.set(ACK_CURSOR_KEY, encodeCursor(last));
      this.armContinue(last);
      return;
    }
    this.meta.delete(ACK_CURSOR_KEY);
    const check = this.host.time() + BigInt(this.schedule.keepAliveTimeoutMs) * NS_PER_MS;
    this.meta.set(KEEP_ALIVE_CHECK_KEY, encodeTimestamp(check));
    if (this.checkTimer !== undefined) this.host.clearTimer(this.checkTimer);
    this.armCheck(this.schedule.keepAliveTimeoutMs);
  }

  private armContinue(after: string): void {
    this.continueTimer = this.host.setTimer(0, () => this.runBatch(() => this.continueRound(after)));
  }

  private armCheck(delay: number): void {
    this.checkTimer = this.host.setTimer(delay, () =>
      this.runBatch(() => {
        this.checkTimer = undefined;
        this.meta.delete(KEEP_ALIVE_CHECK_KEY);
        this.continueCheck(undefined);
      }),
    );
  }

  private continueCheck(after: string | undefined): void {
    this.checkContinueTimer = undefined;
    const last = this.round.checkKeepAlives(after, this.schedule.clientsPerExecution);
    if (last === undefined) {
      this.meta.delete(CHECK_CURSOR_KEY);
      return;
    }
    this.meta.set(CHECK_CURSOR_KEY, encodeCursor(last));
    this.armCheckContinue(last);
  }

  private armCheckContinue(after: string): void {
    this.checkContinueTimer = this.host.setTimer(0, () => this.runBatch(() => this.continueCheck(after)));
  }

  private readTime(key: string): bigint | undefined {
    const bytes = this.meta.get(key);
    return bytes === undefined ? undefined : decodeTimestamp(bytes);
  }
}

function delayMs(dueNs: bigint, nowNs: bigint): number {
  return dueNs <= nowNs ? 0 : Number((dueNs - nowNs + NS_PER_MS - 1n) / NS_PER_MS);
}
