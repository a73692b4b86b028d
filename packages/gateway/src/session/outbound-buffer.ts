/** Limits of one session's outbound buffer. */
export interface OutboundBufferLimits {
  /** Bytes handed to the socket and not yet flushed above which frames wait in the queue. */
  maxBufferedBytes: number;
  /** Frames that may wait in the queue; one more overflows the buffer. */
  maxQueuedFrames: number;
}

/**
 * Writes frames to one client without ever blocking the caller (the canister's poller): frames go to the
 * socket while less than `maxBufferedBytes` is unflushed, wait in a bounded queue otherwise, and the
 * buffer overflows (the session closes) when a client stops reading. Other clients are never delayed.
 */
export class OutboundBuffer {
  readonly #queue: Uint8Array[] = [];
  #inFlightBytes = 0;
  #overflowed = false;

  /**
   * @param write - hands a frame to the socket; calls `onWritten` once it is flushed (or failed).
   * @param onOverflow - called once, when the queue would exceed its limit.
   */
  constructor(
    private readonly write: (frame: Uint8Array, onWritten: () => void) => void,
    private readonly limits: OutboundBufferLimits,
    private readonly onOverflow: () => void,
  ) {}

  /** Sends or queues `frame`; returns false once the buffer has overflowed. */
  push(frame: Uint8Array): boolean {
    if (this.#overflowed) return false;
    if (this.#queue.length === 0 && this.#fits(frame)) {
      this.#send(frame);
      return true;
    }
    if (this.#queue.length >= this.limits.maxQueuedFrames) {
      this.#overflowed = true;
      this.#queue.length = 0;
      this.onOverflow();
      return false;
    }
    this.#queue.push(frame);
    return true;
  }

  /** Bytes handed to the socket and not yet flushed. */
  get inFlightBytes(): number {
    return this.#inFlightBytes;
  }

  /** Frames waiting behind the socket. */
  get queuedFrames(): number {
    return this.#queue.length;
  }

  // An empty pipe always takes one frame, however large: a frame above the limit must still go out.
  #fits(frame: Uint8Array): boolean {
    return this.#inFlightBytes === 0 || this.#inFlightBytes + frame.length <= this.limits.maxBufferedBytes;
  }

  #send(frame: Uint8Array): void {
    this.#inFlightBytes += frame.length;
    let done = false;
    this.write(frame, () => {
      if (done) return;
      done = true;
      this.#inFlightBytes -= frame.length;
      this.#pump();
    });
  }

  #pump(): void {
    while (!this.#overflowed && this.#queue.length > 0 && this.#fits(this.#queue[0]!)) {
      this.#send(this.#queue.shift()!);
    }
  }
}
