import { describe, expect, it } from 'vitest';
import { CallQueue } from './call-queue';

describe('CallQueue', () => {
  it('runs tasks in order, including tasks pushed while draining, without nesting', () => {
    const log: string[] = [];
    const queue: CallQueue<string> = new CallQueue((task) => {
      log.push(`start ${task}`);
      if (task === 'a') {
        queue.push('c');
        expect(queue.drain()).toBe(false);
      }
      log.push(`end ${task}`);
    });
    queue.push('a');
    queue.push('b');
    expect(queue.drain()).toBe(true);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(queue.size).toBe(0);
  });
});
