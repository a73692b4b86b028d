import { CloseCode, closeReasonText } from 'ic-ws-protocol';
import type { PollerRegistry } from './poller/poller-registry';
import type { WebsocketListener } from './server/websocket-listener';

/** The steps of a drain, in order. */
export type DrainStep = 'relay' | 'poll' | 'deliver' | 'close';

/** How a drain went: every step done (`drained`), or the timeout hit during `step`. */
export interface DrainOutcome {
  result: 'drained' | 'timeout';
  /** The step that was running when the time ran out; `close` when everything was done. */
  step: DrainStep;
  /** Sessions live when the drain started. */
  sessions: number;
}

/**
 * Ends every session without losing what is in flight, within `timeoutMs`:
 * 1. `relay`: stop accepting connections and reading clients, and relay the envelopes sessions hold;
 * 2. `poll`: poll every canister until a poll started after that finds its queue for this gateway empty, so
 *    everything a canister queued before (replies to those envelopes included) reaches its session;
 * 3. `deliver`: wait until those frames are flushed to the clients;
 * 4. `close`: close every session with 1001 and wait for its `ws_close`.
 * When the time runs out, the remaining steps are skipped (sessions are still closed with 1001, and their
 * `ws_close` calls started); the caller then drops what is left.
 */
export async function drainGateway(parts: { listener: WebsocketListener; registry: PollerRegistry; timeoutMs: number }): Promise<DrainOutcome> {
  const { listener, registry } = parts;
  const deadline = performance.now() + parts.timeoutMs;
  listener.stopAccepting();
  const live = [...listener.sessions].filter((session) => session.state.kind !== 'closed');
  const steps: [DrainStep, () => Promise<unknown>][] = [
    ['relay', () => Promise.all(live.map((session) => session.drain()))],
    ['poll', () => registry.drainAll()],
    ['deliver', () => Promise.all(live.map((session) => session.whenFlushed()))],
  ];
  for (const [step, run] of steps) {
    if (!(await before(deadline, run()))) return closeAll('timeout', step);
  }
  return closeAll('drained', 'close');

  async function closeAll(result: DrainOutcome['result'], step: DrainStep): Promise<DrainOutcome> {
    const reason = { code: CloseCode.GoingAway, reason: closeReasonText(CloseCode.GoingAway) };
    const ended = [...listener.sessions].map((session) => session.close(reason));
    if (result === 'drained' && !(await before(deadline, Promise.all(ended)))) return { result: 'timeout', step: 'close', sessions: live.length };
    return { result, step, sessions: live.length };
  }
}

/** True when `work` settles before `deadline` (`performance.now()` clock); false when time runs out first. */
async function before(deadline: number, work: Promise<unknown>): Promise<boolean> {
  const remaining = deadline - performance.now();
  if (remaining <= 0) return false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), remaining)));
  try {
    return await Promise.race([work.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
