import type { CanisterHost, TimerId } from './host';
import { decodeTimestamp, encodeTimestamp } from './stable-records';
import type { StableMap } from './stable-store';

/** What one ack round does; implemented by the canister core. */
export interface AckRound {
  /** Queues an AckMessage for every client and runs the periodic clean-up. */
  sendAcks(): void;
  /** Closes every client that has not sent a keep-alive within the timeout. */
  checkKeepAlives(): void;
}

const NEXT_ACK_KEY = 'nextAckNs';
const KEEP_ALIVE_CHECK_KEY = 'keepAliveCheckNs';
const NS_PER_MS = 1_000_000n;

/**
 * Runs ack rounds every `intervalMs` and the keep-alive check `keepAliveTimeoutMs` after each. The due times
 * live in stable storage, so after an upgrade the schedule resumes where it was (timers do not survive an
 * upgrade) instead of restarting, which could leave clients without an ack for longer than they allow.
 */
export class AckScheduler {
  private ackTimer: TimerId | undefined;
  private checkTimer: TimerId | undefined;

  constructor(
    private readonly host: CanisterHost,
    private readonly meta: StableMap,
    private readonly intervalMs: number,
    private readonly keepAliveTimeoutMs: number,
    private readonly round: AckRound,
    /** Runs a timer callback as one batch (certified data set once at its end). */
    private readonly runBatch: (fn: () => void) => void,
  ) {}

  /** Arms the timers from the persisted schedule (init and post_upgrade). */
  start(): void {
    this.stop();
    const now = this.host.time();
    let nextAck = this.read(NEXT_ACK_KEY);
    if (nextAck === undefined) {
      nextAck = now + BigInt(this.intervalMs) * NS_PER_MS;
      this.write(NEXT_ACK_KEY, nextAck);
    }
    this.armAck(delayMs(nextAck, now));
    const check = this.read(KEEP_ALIVE_CHECK_KEY);
    if (check !== undefined) this.armCheck(delayMs(check, now));
  }

  /** Cancels both timers. */
  stop(): void {
    if (this.ackTimer !== undefined) this.host.clearTimer(this.ackTimer);
    if (this.checkTimer !== undefined) this.host.clearTimer(this.checkTimer);
    this.ackTimer = undefined;
    this.checkTimer = undefined;
  }

  private armAck(delay: number): void {
    this.ackTimer = this.host.setTimer(delay, () => this.runBatch(() => this.ackRound()));
  }

  private armCheck(delay: number): void {
    this.checkTimer = this.host.setTimer(delay, () => this.runBatch(() => this.checkRound()));
  }

  private ackRound(): void {
    const now = this.host.time();
    this.write(NEXT_ACK_KEY, now + BigInt(this.intervalMs) * NS_PER_MS);
    this.armAck(this.intervalMs);
    this.round.sendAcks();
    this.write(KEEP_ALIVE_CHECK_KEY, now + BigInt(this.keepAliveTimeoutMs) * NS_PER_MS);
    if (this.checkTimer !== undefined) this.host.clearTimer(this.checkTimer);
    this.armCheck(this.keepAliveTimeoutMs);
  }

  private checkRound(): void {
    this.checkTimer = undefined;
    this.meta.delete(KEEP_ALIVE_CHECK_KEY);
    this.round.checkKeepAlives();
  }

  private read(key: string): bigint | undefined {
    const bytes = this.meta.get(key);
    return bytes === undefined ? undefined : decodeTimestamp(bytes);
  }

  private write(key: string, value: bigint): void {
    this.meta.set(key, encodeTimestamp(value));
  }
}

function delayMs(dueNs: bigint, nowNs: bigint): number {
  return dueNs <= nowNs ? 0 : Number((dueNs - nowNs + NS_PER_MS - 1n) / NS_PER_MS);
}
