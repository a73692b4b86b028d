import { ErrorCode } from 'ic-ws-protocol';
import { GatewayError } from '../gateway-error';
import type { GatewayIc } from '../ic/gateway-ic';
import { retryTransient, type Backoff } from '../ic/retry-transient';
import { isTransientIcError } from '../ic/transient-error';
import type { OpenKeys } from '../session/session-ports';
import type { OpenKey, OpenKeysJournal } from './open-keys-journal';

// Left-behind keys closed at once after a restart.
const LEFT_BEHIND_CONCURRENCY = 4;

/** What the closer reports, for metrics and logs. Must not throw. */
export interface WsCloseObserver {
  /** A `ws_close` finished: confirmed (`ok`), or failed for good with `outcome`. */
  wsClosed(key: OpenKey, outcome: 'ok' | ErrorCode, error?: unknown): void;
  /** A `ws_close` failed for a transient reason and is tried again after `delayMs`. */
  wsCloseRetried(key: OpenKey, error: unknown, delayMs: number): void;
}

/** Collaborators and timing of a {@link WsCloser}. */
export interface WsCloserDeps {
  ic: Pick<GatewayIc, 'wsClose'>;
  journal: OpenKeysJournal;
  backoff: Backoff;
  /**
   * How long a `ws_close` failing for transient reasons is retried. Past it the canister has closed the
   * client itself (keep-alive timeout), so there is nothing left to do.
   */
  retryForMs: number;
  observer: WsCloseObserver;
}

/**
 * Opens and closes client keys on behalf of sessions: records each key in the {@link OpenKeysJournal}
 * before its `ws_open` goes out, and calls `ws_close` for it until the canister answers (retrying transient
 * failures with backoff), then records it closed. Keys whose close is still being retried at shutdown stay
 * in the journal, and the next start closes them.
 */
export class WsCloser implements OpenKeys {
  readonly #inFlight = new Map<string, Promise<void>>();
  readonly #abort = new AbortController();

  constructor(private readonly deps: WsCloserDeps) {}

  /** `ws_close` calls not finished yet. */
  get pending(): number {
    return this.#inFlight.size;
  }

  opening(key: OpenKey): Promise<void> {
    return this.deps.journal.opened(key);
  }

  close(key: OpenKey): Promise<void> {
    const id = `${key.canisterId.toText()} ${key.clientKey.client_principal.toText()} ${key.clientKey.client_nonce}`;
    let closing = this.#inFlight.get(id);
    if (closing === undefined) {
      closing = this.#close(key).finally(() => this.#inFlight.delete(id));
      this.#inFlight.set(id, closing);
    }
    return closing;
  }

  /**
   * Closes the keys a previous run left open, `concurrency` at a time: after a crash there may be thousands,
   * and their `ws_close` calls must not crowd out the `ws_open` calls of the clients coming back meanwhile.
   * Resolves when all are done (or given up on).
   */
  async closeLeftBehind(keys: readonly OpenKey[], concurrency = LEFT_BEHIND_CONCURRENCY): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < keys.length && !this.#abort.signal.aborted) await this.close(keys[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, keys.length) }, worker));
  }

  /** Stops retrying (shutdown): the calls in flight finish, keys not confirmed stay in the journal. */
  stop(): void {
    this.#abort.abort();
  }

  async #close(key: OpenKey): Promise<void> {
    const { ic, journal, backoff, retryForMs, observer } = this.deps;
    try {
      await retryTransient(() => ic.wsClose(key.canisterId, key.clientKey), {
        backoff,
        deadlineMs: Date.now() + retryForMs,
        signal: this.#abort.signal,
        onRetry: (error, _attempt, delayMs) => observer.wsCloseRetried(key, error, delayMs),
      });
      observer.wsClosed(key, 'ok');
    } catch (error) {
      observer.wsClosed(key, error instanceof GatewayError ? error.code : ErrorCode.WsCloseFailed, error);
      // Interrupted by shutdown: the next start tries again. Otherwise the canister answered (the key is
      // not, or no longer, its client) or the retry window passed: nothing more to do for this key.
      if (this.#abort.signal.aborted && isTransientIcError(error)) return;
    }
    journal.closed(key);
  }
}
