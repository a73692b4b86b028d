import type { Principal } from '@dfinity/principal';
import type { RoutedSession, SessionRouter } from '../session/session-ports';
import type { SessionTarget } from '../session/session-state';
import { deferred, type Deferred } from './deferred';

/**
 * A {@link SessionRouter} that records calls in `log` and refuses a client key already registered. Its
 * pollers are ready at once, unless a test holds them with {@link RecordingRouter.holdReady}.
 */
export class RecordingRouter implements SessionRouter {
  readonly sessions = new Map<string, RoutedSession>();
  readonly log: string[] = [];
  /** Canisters (text) of every `relayed` call, in order. */
  readonly relayedTo: string[] = [];
  #ready: Deferred<void> | null = null;

  register(target: SessionTarget, session: RoutedSession): boolean {
    this.log.push(`register ${target.clientKeyId}`);
    if (this.sessions.has(target.clientKeyId)) return false;
    this.sessions.set(target.clientKeyId, session);
    return true;
  }

  unregister(target: SessionTarget, session: RoutedSession): void {
    this.log.push(`unregister ${target.clientKeyId}`);
    if (this.sessions.get(target.clientKeyId) === session) this.sessions.delete(target.clientKeyId);
  }

  ready(_canisterId: Principal): Promise<void> {
    this.log.push('ready?');
    return this.#ready?.promise ?? Promise.resolve();
  }

  relayed(canisterId: Principal): void {
    this.relayedTo.push(canisterId.toText());
  }

  /** Makes `ready` wait until the returned function is called. */
  holdReady(): () => void {
    const held = deferred();
    this.#ready = held;
    return () => {
      this.#ready = null;
      held.resolve();
    };
  }
}
