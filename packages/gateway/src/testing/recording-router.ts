import type { RoutedSession, SessionRouter } from '../session/session-ports';
import type { SessionTarget } from '../session/session-state';

/** A {@link SessionRouter} that records calls in `log` and refuses a client key already registered. */
export class RecordingRouter implements SessionRouter {
  readonly sessions = new Map<string, RoutedSession>();
  readonly log: string[] = [];

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
}
