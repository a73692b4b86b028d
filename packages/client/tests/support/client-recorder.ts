import type { IcWebSocket, IcWsCloseEvent, IcWsErrorEvent, IcWsOpenEvent } from 'ic-ws-client';
import { AsyncQueue } from './async-queue';

/** How long integration tests wait for an event before failing with a named timeout (a deadline, not a sleep). */
export const EVENT_DEADLINE_MS = 20_000;

/**
 * Resolves with `promise`, or rejects once `ms` have passed, naming `what` was awaited. The timer only bounds
 * the wait: the test proceeds as soon as the awaited event happens.
 */
export function withDeadline<V>(promise: Promise<V>, what: string, ms = EVENT_DEADLINE_MS): Promise<V> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/**
 * Records everything an {@link IcWebSocket} reports (messages, opens, errors, the close) from the moment it is
 * created, so a test can await "the next open" or "the close" with a deadline without racing the socket.
 */
export class ClientRecorder<T> {
  /** Every app message the client handed to the app, in order. */
  readonly messages: T[] = [];
  readonly opens: IcWsOpenEvent[] = [];
  readonly errors: IcWsErrorEvent[] = [];
  close: IcWsCloseEvent | undefined;
  readonly #messages = new AsyncQueue<T>();
  readonly #opens = new AsyncQueue<IcWsOpenEvent>();
  readonly #closed: Promise<IcWsCloseEvent>;

  constructor(readonly ws: IcWebSocket<T>) {
    ws.addEventListener('message', (event) => {
      this.messages.push(event.data);
      this.#messages.push(event.data);
    });
    ws.addEventListener('open', (event) => {
      this.opens.push(event);
      this.#opens.push(event);
    });
    ws.addEventListener('error', (event) => this.errors.push(event));
    this.#closed = new Promise((resolve) =>
      ws.addEventListener('close', (event) => {
        this.close = event;
        resolve(event);
      }),
    );
  }

  /** The next `open` event not yet taken. */
  nextOpen(ms?: number): Promise<IcWsOpenEvent> {
    return withDeadline(this.#opens.next(), 'an open event', ms);
  }

  /** The next app message not yet taken. */
  nextMessage(ms?: number): Promise<T> {
    return withDeadline(this.#messages.next(), 'an app message', ms);
  }

  /** The `close` event (at once if it already fired). */
  closed(ms?: number): Promise<IcWsCloseEvent> {
    return withDeadline(this.#closed, 'the close event', ms);
  }
}
