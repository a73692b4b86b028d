import { ErrorCode } from 'ic-ws-protocol';
import { IcWsClientError } from '../client-error';

/**
 * Messages `send` accepted while no session was open, in order, up to a bound: an app that keeps sending
 * into a dead connection gets `OUTGOING_QUEUE_FULL` instead of growing memory without limit.
 */
export class OutgoingQueue<M> {
  private items: M[] = [];

  constructor(private readonly capacity: number) {}

  /** Number of queued messages. */
  get size(): number {
    return this.items.length;
  }

  /** @throws IcWsClientError `OUTGOING_QUEUE_FULL` when `capacity` messages are already queued. */
  push(item: M): void {
    if (this.items.length >= this.capacity) {
      throw new IcWsClientError(ErrorCode.OutgoingQueueFull, `the outgoing queue holds its maximum of ${this.capacity} messages`);
    }
    this.items.push(item);
  }

  /** Removes and returns every queued message, oldest first. */
  drain(): M[] {
    const drained = this.items;
    this.items = [];
    return drained;
  }
}
