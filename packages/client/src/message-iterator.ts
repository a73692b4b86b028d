import type { IcWsCloseEvent, IcWsMessageEvent } from './events';

/** The events {@link messageIterator} reads. */
interface MessageSource<T> {
  addEventListener(type: 'message', listener: (event: IcWsMessageEvent<T>) => void): void;
  addEventListener(type: 'close', listener: (event: IcWsCloseEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: IcWsMessageEvent<T>) => void): void;
  removeEventListener(type: 'close', listener: (event: IcWsCloseEvent) => void): void;
}

/**
 * An async iterator over the messages of `source` from now on: buffered while the consumer is busy (each
 * message is kept until read), done when the connection closes cleanly, and throwing the connection's error
 * (after the buffered messages) when it failed. `return()` (a `break` out of `for await`) stops listening.
 */
export function messageIterator<T>(source: MessageSource<T>): AsyncIterableIterator<T> {
  const buffered: T[] = [];
  const waiting: { resolve: (result: IteratorResult<T>) => void; reject: (error: unknown) => void }[] = [];
  let ended: { error?: unknown } | undefined;

  const onMessage = (event: IcWsMessageEvent<T>): void => {
    const waiter = waiting.shift();
    if (waiter !== undefined) waiter.resolve({ value: event.data, done: false });
    else buffered.push(event.data);
  };
  const onClose = (event: IcWsCloseEvent): void => {
    ended = event.wasClean ? {} : { error: event.error };
    stop();
    for (const waiter of waiting.splice(0)) settle(waiter);
  };
  const stop = (): void => {
    source.removeEventListener('message', onMessage);
    source.removeEventListener('close', onClose);
  };
  const settle = (waiter: (typeof waiting)[number]): void => {
    const failure = ended?.error;
    if (failure !== undefined) {
      ended = {};
      waiter.reject(failure);
    } else waiter.resolve({ value: undefined, done: true });
  };
  source.addEventListener('message', onMessage);
  source.addEventListener('close', onClose);

  return {
    next(): Promise<IteratorResult<T>> {
      if (buffered.length > 0) return Promise.resolve({ value: buffered.shift() as T, done: false });
      return new Promise((resolve, reject) => {
        const waiter = { resolve, reject };
        if (ended !== undefined) settle(waiter);
        else waiting.push(waiter);
      });
    },
    return(): Promise<IteratorResult<T>> {
      stop();
      ended ??= {};
      buffered.length = 0;
      for (const waiter of waiting.splice(0)) waiter.resolve({ value: undefined, done: true });
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
