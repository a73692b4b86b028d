import { afterEach, describe, expect, it, vi } from 'vitest';
import { IngressRounds } from './ingress-rounds';

afterEach(() => {
  vi.useRealTimers();
});

function setup(intervalMs: number, afterRound?: () => void) {
  vi.useFakeTimers();
  const log: string[] = [];
  const rounds = new IngressRounds({ intervalMs, now: () => Date.now(), afterRound: () => { log.push('after'); afterRound?.(); } });
  const call = (name: string) =>
    rounds.run(async () => {
      log.push(`run ${name} @${Date.now() % 100_000}`);
      return name;
    });
  return { rounds, log, call };
}

describe('IngressRounds', () => {
  it('runs a call at once on an idle devnet, batches calls that arrive within the interval', async () => {
    const { rounds, log, call } = setup(100);
    vi.setSystemTime(1_000_000);
    const first = call('a');
    await vi.advanceTimersByTimeAsync(0);
    await expect(first).resolves.toBe('a');
    expect(log).toEqual(['run a @0', 'after']);
    await vi.advanceTimersByTimeAsync(10);
    const later = [call('b'), call('c')];
    await vi.advanceTimersByTimeAsync(50);
    const late = call('d');
    await vi.advanceTimersByTimeAsync(39);
    expect(log).toHaveLength(2); // nothing ran before the interval since the first round's start
    await vi.advanceTimersByTimeAsync(1);
    await expect(Promise.all([...later, late])).resolves.toEqual(['b', 'c', 'd']);
    expect(log.slice(2)).toEqual(['run b @100', 'run c @100', 'run d @100', 'after']);
    expect(rounds.rounds).toBe(2);
  });

  it('answers no caller before afterRound ran, and fails the round if it throws', async () => {
    let fail = false;
    const { log, call } = setup(0, () => {
      if (fail) throw new Error('disk full');
    });
    const answered: string[] = [];
    const ok = call('a').then((name) => answered.push(`${name} after ${log.at(-1)}`));
    await vi.advanceTimersByTimeAsync(0);
    await ok;
    expect(answered).toEqual(['a after after']);
    fail = true;
    const failed = call('b');
    const rejection = expect(failed).rejects.toThrow('disk full');
    await vi.advanceTimersByTimeAsync(0);
    await rejection;
  });

  it('hands each caller its own execution failure, the others of the round carry on', async () => {
    const { rounds, call } = setup(0);
    const bad = rounds.run(() => Promise.reject(new Error('boom')));
    const good = call('fine');
    const rejection = expect(bad).rejects.toThrow('boom');
    await vi.advanceTimersByTimeAsync(0);
    await rejection;
    await expect(good).resolves.toBe('fine');
  });

  it('refuses a negative interval', () => {
    expect(() => new IngressRounds({ intervalMs: -1 })).toThrow(/roundIntervalMs/);
  });
});
