import type { Principal } from '@dfinity/principal';
import type { RoutedSession, SessionRouter } from '../session/session-ports';
import type { SessionTarget } from '../session/session-state';
import type { CanisterPoller, CanisterSessions } from './canister-poller';

interface CanisterEntry {
  poller: CanisterPoller;
  sessions: Map<string, RoutedSession>;
}

/** Builds the poller of one canister over its session view (so tests can count and fake pollers). */
export type PollerFactory = (canisterId: Principal, sessions: CanisterSessions) => CanisterPoller;

/**
 * One poller per canister with sessions, many canisters per gateway. A canister's poller starts with its
 * first session and stops with its last; a later session starts a fresh poller, which is right because a
 * canister forgets a gateway without clients and restarts its nonces for it.
 */
export class PollerRegistry implements SessionRouter {
  readonly #canisters = new Map<string, CanisterEntry>();

  constructor(private readonly createPoller: PollerFactory) {}

  register(target: SessionTarget, session: RoutedSession): boolean {
    const canisterText = target.canisterId.toText();
    let entry = this.#canisters.get(canisterText);
    if (entry?.sessions.has(target.clientKeyId)) return false;
    if (entry === undefined) {
      const sessions = new Map<string, RoutedSession>();
      const view: CanisterSessions = {
        get: (id) => sessions.get(id),
        anyAwaitingFirstMessage: () => {
          for (const s of sessions.values()) if (s.awaitingFirstMessage) return true;
          return false;
        },
      };
      entry = { poller: this.createPoller(target.canisterId, view), sessions };
      this.#canisters.set(canisterText, entry);
      entry.sessions.set(target.clientKeyId, session);
      entry.poller.start();
      return true;
    }
    entry.sessions.set(target.clientKeyId, session);
    return true;
  }

  unregister(target: SessionTarget, session: RoutedSession): void {
    const canisterText = target.canisterId.toText();
    const entry = this.#canisters.get(canisterText);
    if (entry === undefined || entry.sessions.get(target.clientKeyId) !== session) return;
    entry.sessions.delete(target.clientKeyId);
    if (entry.sessions.size === 0) {
      entry.poller.stop();
      this.#canisters.delete(canisterText);
    }
  }

  /** Number of canisters being polled. */
  get pollerCount(): number {
    return this.#canisters.size;
  }

  /** The poller of `canisterId`, if it has sessions. */
  pollerOf(canisterId: Principal): CanisterPoller | undefined {
    return this.#canisters.get(canisterId.toText())?.poller;
  }

  /** Stops every poller (shutdown). Sessions are closed by their owner. */
  stopAll(): void {
    for (const entry of this.#canisters.values()) entry.poller.stop();
    this.#canisters.clear();
  }
}
