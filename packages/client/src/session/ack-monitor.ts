import { ErrorCode } from 'ic-ws-protocol';
import { IcWsClientError } from '../client-error';
import type { TimerApi } from '../ic-websocket-options';

/** Options of {@link AckMonitor}. */
export interface AckMonitorOptions {
  timers: TimerApi;
  /** The canister's ack interval, ms. */
  ackIntervalMs: number;
  /** Extra wait beyond the interval, ms. */
  marginMs: number;
  /** Called once when no ack arrived in time. */
  onTimeout: (error: IcWsClientError) => void;
}

/**
 * Watches the canister's acks (docs/protocol.md section 5.5). A gateway that silently stops relaying would
 * otherwise leave the client waiting forever: the canister acks every `ackIntervalMs`, so no ack for longer
 * than that plus a margin means the path is broken. An ack above what the client sent means someone else
 * is speaking for this client key.
 */
export class AckMonitor {
  private handle: unknown;
  private running = false;

  constructor(private readonly options: AckMonitorOptions) {}

  /** Starts (or restarts) the wait for the next ack. */
  start(): void {
    this.stop();
    this.running = true;
    const { timers, ackIntervalMs, marginMs } = this.options;
    this.handle = timers.setTimeout(() => {
      this.running = false;
      this.options.onTimeout(
        new IcWsClientError(ErrorCode.AckTimeout, `no ack from the canister within ${ackIntervalMs + marginMs} ms`),
      );
    }, ackIntervalMs + marginMs);
  }

  /**
   * Records an ack of `acknowledged` client messages when the client has sent `sent`, and restarts the wait.
   * @throws IcWsClientError `ACK_ABOVE_SENT` when the canister acknowledges messages the client never sent.
   */
  acknowledge(acknowledged: bigint, sent: bigint): void {
    if (acknowledged > sent) {
      throw new IcWsClientError(ErrorCode.AckAboveSent, `the canister acknowledged ${acknowledged} messages, the client sent ${sent}`);
    }
    this.start();
  }

  /** Stops watching (the session ended). */
  stop(): void {
    if (this.running) this.options.timers.clearTimeout(this.handle);
    this.running = false;
  }
}
