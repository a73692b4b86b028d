import type { Principal } from '@dfinity/principal';
import type { RoutedSession, SessionRouter } from '../session/session-ports';
import type { SessionTarget } from '../session/session-state';
import type { CanisterPoller, CanisterSessions } from './canister-poller';

interface CanisterEntry {
  /** The canister's id, one object shared by all its sessions' targets. */
  canisterId: Principal;
  poller: CanisterPoller;
  sessions: Map<string, RoutedSession>;
  /** `performance.now()` when its last session left; `null` while it has sessions. */
  idleSince: number | null;
}

/** Builds the poller of one canister over its session view (so tests can count and fake pollers). */
export type PollerFactory = (canisterId: Principal, sessions: CanisterSessions) => CanisterPoller;

/**
 * How long a canister's idle poller (and so its position in the queue) is kept after its last session left.
 * Past it, the canister has forgotten this gateway anyway (one ack interval, 5 minutes by default).
 */
export const IDLE_POLLER_TTL_MS = 10 * 60_000;

/**
 * One poller per canister, many canisters per gateway. A canister's poller starts with its first session
 * and goes idle (not polling, its position kept) with its last one; a later session wakes it up, and it
 * finds the live end of the queue again before that session's `ws_open` is relayed (see `CanisterPoller`).
 * Idle pollers are forgotten after {@link IDLE_POLLER_TTL_MS}.
 */
export class PollerRegistry implements SessionRouter {
  readonly #canisters = new Map<string, CanisterEntry>();

  constructor(
    private readonly createPoller: PollerFactory,
    private readonly now: () => number = () => performance.now(),
  ) {}

  register(target: SessionTarget, session: RoutedSession): boolean {
    const canisterText = target.canisterId.toText();
    let entry = this.#canisters.get(canisterText);
    if (entry?.sessions.has(target.clientKeyId)) return false;
    if (entry === undefined) {
      this.#forgetIdle();
      const sessions = new Map<string, RoutedSession>();
      const view: CanisterSessions = {
        get: (id) => sessions.get(id),
        anyAwaitingFirstMessage: () => {
          for (const s of sessions.values()) if (s.awaitingFirstMessage) return true;
          return false;
        },
      };
      entry = { canisterId: target.canisterId, poller: this.createPoller(target.canisterId, view), sessions, idleSince: null };
      this.#canisters.set(canisterText, entry);
    }
    // Each ws_open decoded its own copy of the canister id (~0.3 kB): the session keeps the shared one.
    target.canisterId = entry.canisterId;
    entry.sessions.set(target.clientKeyId, session);
    if (entry.sessions.size === 1) {
      entry.idleSince = null;
      entry.poller.activate();
    }
    return true;
  }

  unregister(target: SessionTarget, session: RoutedSession): void {
    const entry = this.#canisters.get(target.canisterId.toText());
    if (entry === undefined || entry.sessions.get(target.clientKeyId) !== session) return;
    entry.sessions.delete(target.clientKeyId);
    if (entry.sessions.size === 0) {
      entry.poller.deactivate();
      entry.idleSince = this.now();
    }
  }

  ready(canisterId: Principal): Promise<void> {
    return this.#canisters.get(canisterId.toText())?.poller.ready() ?? Promise.resolve();
  }

  relayed(canisterId: Principal): void {
    this.#canisters.get(canisterId.toText())?.poller.nudge();
  }

  /** Number of canisters being polled (with sessions). */
  get pollerCount(): number {
    let count = 0;
    for (const entry of this.#canisters.values()) if (entry.idleSince === null) count += 1;
    return count;
  }

  /** The poller of `canisterId`, polling or idle. */
  pollerOf(canisterId: Principal): CanisterPoller | undefined {
    return this.#canisters.get(canisterId.toText())?.poller;
  }

  /** Resolves once every polling canister's queue was found drained by a poll started after this call. */
  async drainAll(): Promise<void> {
    await Promise.all([...this.#canisters.values()].map((entry) => entry.poller.drain()));
  }

  /** Stops every poller (shutdown). Sessions are closed by their owner. */
  stopAll(): void {
    for (const entry of this.#canisters.values()) entry.poller.stop();
    this.#canisters.clear();
  }

  #forgetIdle(): void {
    const now = this.now();
    for (const [canister, entry] of this.#canisters) {
      if (entry.idleSince !== null && now - entry.idleSince >= IDLE_POLLER_TTL_MS) {
        entry.poller.stop();
        this.#canisters.delete(canister);
      }
    }
  }
}
