import { ErrorCode, type ReceiptOutcome } from 'ic-ws-protocol';
import { IcWsClientError } from '../client-error';
import type { TimerApi } from '../ic-websocket-options';

/** What became of one message in a session, as the tracker reports it. */
export type DeliveryOutcome = { kind: 'acknowledged' } | { kind: 'failed'; error: IcWsClientError };

/** Options of {@link DeliveryTracker}. */
export interface DeliveryTrackerOptions<E> {
  timers: TimerApi;
  /** How long a relayed message may wait for its receipt, ms (used only with receipts). */
  ackTimeoutMs: number;
  /** The message was written to the gateway. */
  onRelayed: (entry: E) => void;
  /** The canister acknowledged or failed the message. */
  onSettled: (entry: E, outcome: DeliveryOutcome) => void;
  /** A relayed message got no receipt in time: the path to the canister is broken. */
  onTimeout: (error: IcWsClientError) => void;
}

interface Tracked<E> {
  entry: E;
  written: boolean;
  timer: unknown;
}

/**
 * The app messages of one session between `send` and the canister's word on them, by sequence number. A
 * message is settled by its `ReceiptMessage` (ic-ws extension) or by an ack round covering it; with receipts,
 * a message relayed and not receipted within `ackTimeoutMs` means the gateway dropped something (or closed the
 * connection behind the client's back), and the session fails so a new one can re-send.
 */
export class DeliveryTracker<E> {
  private readonly tracked = new Map<bigint, Tracked<E>>();
  private receipts = false;

  constructor(private readonly options: DeliveryTrackerOptions<E>) {}

  /** From the OpenMessage on: whether the canister sends receipts (and so whether the ack timeout applies). */
  useReceipts(receipts: boolean): void {
    this.receipts = receipts;
  }

  /** `entry` was given sequence number `sequenceNum` (it is being signed, not yet written). */
  accepted(sequenceNum: bigint, entry: E): void {
    this.tracked.set(sequenceNum, { entry, written: false, timer: undefined });
  }

  /** Message `sequenceNum` was written to the gateway. */
  written(sequenceNum: bigint): void {
    const item = this.tracked.get(sequenceNum);
    if (item === undefined) return;
    item.written = true;
    if (this.receipts) {
      const { timers, ackTimeoutMs } = this.options;
      item.timer = timers.setTimeout(
        () => this.options.onTimeout(new IcWsClientError(ErrorCode.AckTimeout, `no receipt for message ${sequenceNum} within ackTimeoutMs (${ackTimeoutMs} ms)`)),
        ackTimeoutMs,
      );
    }
    this.options.onRelayed(item.entry);
  }

  /** The canister's receipt for message `sequenceNum`; earlier messages are taken as acknowledged too. */
  receipt(sequenceNum: bigint, outcome: ReceiptOutcome): void {
    this.settleUpTo(sequenceNum - 1n);
    const item = this.tracked.get(sequenceNum);
    if (item === undefined) return;
    this.settle(sequenceNum, item, 'Failed' in outcome ? failed(sequenceNum, outcome.Failed) : { kind: 'acknowledged' });
  }

  /** An ack round: the canister took every message up to `lastSequenceNum`. */
  ack(lastSequenceNum: bigint): void {
    this.settleUpTo(lastSequenceNum);
  }

  /** Stops the timers and returns what was not settled, in order, with whether each reached the gateway. */
  stop(): { entry: E; written: boolean }[] {
    const left = [...this.tracked.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, item]) => item);
    for (const item of left) this.options.timers.clearTimeout(item.timer);
    this.tracked.clear();
    return left.map(({ entry, written }) => ({ entry, written }));
  }

  private settleUpTo(lastSequenceNum: bigint): void {
    for (const [sequenceNum, item] of [...this.tracked.entries()]) {
      if (sequenceNum <= lastSequenceNum && item.written) this.settle(sequenceNum, item, { kind: 'acknowledged' });
    }
  }

  private settle(sequenceNum: bigint, item: Tracked<E>, outcome: DeliveryOutcome): void {
    this.options.timers.clearTimeout(item.timer);
    this.tracked.delete(sequenceNum);
    this.options.onSettled(item.entry, outcome);
  }
}

function failed(sequenceNum: bigint, reason: string): DeliveryOutcome {
  return { kind: 'failed', error: new IcWsClientError(ErrorCode.MessageFailed, `the canister failed message ${sequenceNum}: ${reason}`) };
}
