import type { Principal } from '@dfinity/principal';
import { CanisterFrameEncoder, ErrorCode, type CanisterOutputCertifiedMessages, type CanisterOutputMessage } from 'ic-ws-protocol';
import { GatewayError, describeError } from '../gateway-error';
import type { RoutedSession } from '../session/session-ports';
import { clientKeyId } from '../session/session-state';
import { parseBatch } from './parse-batch';
import type { PollerObserver } from './poller-observer';

/** The sessions of one canister, as its poller sees them. */
export interface CanisterSessions {
  get(clientKeyId: string): RoutedSession | undefined;
  /** True when some session relayed its `ws_open` and is still waiting for its first message. */
  anyAwaitingFirstMessage(): boolean;
}

/** Timing of one poller. */
export interface PollerTiming {
  /** Pause after a poll that drained the queue. */
  intervalMs: number;
  /** Timeout of one `ws_get_messages`. */
  timeoutMs: number;
  /** First and largest pause after failed polls (doubling in between). */
  backoff: { initialMs: number; maxMs: number };
  /** Empty polls while a session waits for its OpenMessage before probing from nonce 0 (see `#process`). */
  probeAfterEmptyPolls: number;
}

/** Collaborators of a {@link CanisterPoller}. */
export interface PollerDeps {
  canisterId: Principal;
  gatewayPrincipal: Principal;
  getMessages(canisterId: Principal, nonce: bigint): Promise<CanisterOutputCertifiedMessages>;
  sessions: CanisterSessions;
  timing: PollerTiming;
  observer: PollerObserver;
}

/** `idle` (not started) -> `polling` <-> `waiting` -> `stopped`. */
export type PollerState = 'idle' | 'polling' | 'waiting' | 'stopped';

/**
 * Polls one canister's `ws_get_messages` for this gateway and hands each message to the session whose
 * client key it names. It never drops sessions: IC errors only slow it down (exponential backoff), and a
 * canister whose nonces restart (upgrade, or the gateway forgotten) or jump (messages pruned) is followed.
 */
export class CanisterPoller {
  #state: PollerState = 'idle';
  #nextNonce = 0n;
  #seenMessage = false;
  #failures = 0;
  #emptyPollsWhileAwaiting = 0;
  #timer: { timeout: ReturnType<typeof setTimeout> } | { immediate: ReturnType<typeof setImmediate> } | undefined;

  constructor(private readonly deps: PollerDeps) {}

  get state(): PollerState {
    return this.#state;
  }

  /** The nonce the next regular poll asks for. */
  get nextNonce(): bigint {
    return this.#nextNonce;
  }

  /** Starts polling at once. */
  start(): void {
    if (this.#state === 'idle') void this.#poll();
  }

  /** Stops for good; a poll in flight is ignored when it returns. */
  stop(): void {
    this.#state = 'stopped';
    this.#clearTimer();
  }

  async #poll(): Promise<void> {
    this.#state = 'polling';
    const probing = this.#emptyPollsWhileAwaiting >= this.deps.timing.probeAfterEmptyPolls;
    const started = performance.now();
    let batch: CanisterOutputCertifiedMessages;
    try {
      batch = await this.#getMessagesWithTimeout(probing ? 0n : this.#nextNonce);
    } catch (error) {
      if (this.#stopped) return;
      const code = error instanceof GatewayError ? error.code : ErrorCode.PollFailed;
      this.deps.observer.polled(code, (performance.now() - started) / 1000, error);
      this.#failures += 1;
      const { initialMs, maxMs } = this.deps.timing.backoff;
      return this.#schedule(Math.min(maxMs, initialMs * 2 ** Math.min(this.#failures - 1, 30)));
    }
    if (this.#stopped) return;
    this.#failures = 0;
    this.deps.observer.polled('ok', (performance.now() - started) / 1000);
    const delivered = probing ? this.#processProbe(batch) : this.#process(batch);
    this.#trackStall(delivered);
    // A reply that claims more is queued but carries nothing would make us spin: treat it as drained.
    const drained = batch.is_end_of_queue || batch.messages.length === 0;
    this.#schedule(drained ? this.deps.timing.intervalMs : 0);
  }

  // A getter, so TypeScript does not narrow `#state` across the await in `#poll`.
  get #stopped(): boolean {
    return this.#state === 'stopped';
  }

  #schedule(delayMs: number): void {
    if (this.#state === 'stopped') return;
    this.#state = 'waiting';
    // More is queued: poll again on the next turn (setTimeout(0) would idle 1 ms per reply).
    this.#timer =
      delayMs === 0 ? { immediate: setImmediate(() => void this.#poll()) } : { timeout: setTimeout(() => void this.#poll(), delayMs) };
  }

  #clearTimer(): void {
    if (this.#timer === undefined) return;
    if ('timeout' in this.#timer) clearTimeout(this.#timer.timeout);
    else clearImmediate(this.#timer.immediate);
    this.#timer = undefined;
  }

  #getMessagesWithTimeout(nonce: bigint): Promise<CanisterOutputCertifiedMessages> {
    const { canisterId } = this.deps;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new GatewayError(ErrorCode.PollFailed, `ws_get_messages timed out after ${this.deps.timing.timeoutMs} ms`));
      }, this.deps.timing.timeoutMs);
      this.deps.getMessages(canisterId, nonce).then(
        (batch) => {
          clearTimeout(timer);
          resolve(batch);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error instanceof GatewayError ? error : new GatewayError(ErrorCode.PollFailed, describeError(error), { cause: error }));
        },
      );
    });
  }

  /** Delivers a regular batch; returns how many messages reached a session. */
  #process(batch: CanisterOutputCertifiedMessages): number {
    const parsed = parseBatch(batch, this.deps.gatewayPrincipal, this.deps.observer);
    const first = parsed[0];
    if (first === undefined) return 0;
    if (first.nonce < this.#nextNonce) {
      // Keys below what we asked for: the canister's nonces started over (reinstall, or it forgot us).
      this.deps.observer.nonceResync('restart', this.#nextNonce, first.nonce);
      this.#nextNonce = first.nonce;
    } else if (first.nonce > this.#nextNonce) {
      // Messages we never fetched were pruned (or this poller is new): nothing to do but carry on from here.
      if (this.#seenMessage) this.deps.observer.nonceResync('jump', this.#nextNonce, first.nonce);
      this.#nextNonce = first.nonce;
    }
    this.#seenMessage = true;
    const routed: { session: RoutedSession; message: CanisterOutputMessage }[] = [];
    for (const entry of parsed) {
      if (entry.nonce < this.#nextNonce) {
        this.deps.observer.skipped('out_of_order');
        continue;
      }
      this.#nextNonce = entry.nonce + 1n;
      const session = this.deps.sessions.get(clientKeyId(entry.message.client_key));
      if (session === undefined) {
        this.deps.observer.skipped('unknown_client');
        continue;
      }
      routed.push({ session, message: entry.message });
    }
    // The batch's certificate and witness are encoded once, and every frame written into one buffer.
    const frames = new CanisterFrameEncoder(batch.cert, batch.tree).encodeAll(routed.map((r) => r.message));
    let delivered = 0;
    routed.forEach(({ session }, i) => {
      try {
        session.deliver(frames[i]!);
        delivered += 1;
      } catch {
        // deliver() is built not to throw; if it ever does, one session's fault must not stop the others.
        this.deps.observer.skipped('delivery_failed');
      }
    });
    return delivered;
  }

  /**
   * A canister that restarted its nonces answers "nothing new" for our (too high) nonce forever, so a
   * session waiting for its OpenMessage would time out. After a few such empty polls we read the queue
   * from nonce 0: if it holds a message below our nonce for a session that is waiting, the canister
   * restarted, and we follow it from the first key of that reply. Otherwise the probe is ignored.
   */
  #processProbe(batch: CanisterOutputCertifiedMessages): number {
    const parsed = parseBatch(batch, this.deps.gatewayPrincipal, { skipped: () => {} });
    const restarted = parsed.some((entry) => {
      if (entry.nonce >= this.#nextNonce) return false;
      return this.deps.sessions.get(clientKeyId(entry.message.client_key))?.awaitingFirstMessage === true;
    });
    this.#emptyPollsWhileAwaiting = 0;
    return restarted ? this.#process(batch) : 0;
  }

  #trackStall(delivered: number): void {
    if (delivered > 0 || !this.deps.sessions.anyAwaitingFirstMessage()) {
      this.#emptyPollsWhileAwaiting = 0;
    } else {
      this.#emptyPollsWhileAwaiting += 1;
    }
  }
}
