import { ErrorCode } from 'ic-ws-protocol';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GatewayError } from '../gateway-error';
import { testCanisterId, testPrincipal } from '../testing/client-frames';
import { flushMicrotasks } from '../testing/deferred';
import { FakeGatewayIc } from '../testing/fake-gateway-ic';
import { OpenKeysJournal, type OpenKey } from './open-keys-journal';
import { WsCloser } from './ws-closer';

const key: OpenKey = { canisterId: testCanisterId(1), clientKey: { client_principal: testPrincipal(5), client_nonce: 7n } };
const unreachable = () => new GatewayError(ErrorCode.WsCloseFailed, 'ws_close failed: fetch failed', { transient: true });

async function setup() {
  const ic = new FakeGatewayIc();
  const { journal } = await OpenKeysJournal.load(null, pino({ level: 'silent' }));
  const outcomes: string[] = [];
  const closer = new WsCloser({
    ic,
    journal,
    backoff: { initialMs: 100, maxMs: 1_000 },
    retryForMs: 60_000,
    observer: { wsClosed: (_key, outcome) => outcomes.push(outcome), wsCloseRetried: () => outcomes.push('retry') },
  });
  await closer.opening(key);
  return { ic, journal, closer, outcomes };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('WsCloser', () => {
  it('retries ws_close through transient failures until the canister confirms, then records the key closed', async () => {
    const { ic, journal, closer, outcomes } = await setup();
    const closed = closer.close(key);
    // A second close of the same key joins the first.
    expect(closer.close(key)).toBe(closed);
    for (let i = 0; i < 3; i++) {
      ic.closes.at(-1)!.answer.reject(unreachable());
      await flushMicrotasks();
      await vi.advanceTimersByTimeAsync(1_000);
    }
    expect(ic.closes).toHaveLength(4);
    expect(journal.openCount).toBe(1);
    ic.closes.at(-1)!.answer.resolve();
    await closed;
    expect(outcomes).toEqual(['retry', 'retry', 'retry', 'ok']);
    expect(journal.openCount).toBe(0);
    expect(closer.pending).toBe(0);
  });

  it('takes an Err answer as final (the canister does not hold the key) and stops retrying', async () => {
    const { ic, journal, closer, outcomes } = await setup();
    const closed = closer.close(key);
    ic.closes[0]!.answer.reject(new GatewayError(ErrorCode.WsCloseFailed, 'ws_close returned Err: the client key is not connected'));
    await closed;
    expect(outcomes).toEqual([ErrorCode.WsCloseFailed]);
    expect(journal.openCount).toBe(0);
  });

  it('leaves a key it is still retrying at shutdown in the journal, for the next start', async () => {
    const { ic, journal, closer } = await setup();
    const closed = closer.close(key);
    ic.closes[0]!.answer.reject(unreachable());
    await flushMicrotasks();
    closer.stop();
    await closed;
    expect(ic.closes).toHaveLength(1);
    expect(journal.openCount).toBe(1);
  });
});

describe('WsCloser after a restart', () => {
  it('closes the keys a previous run left open a few at a time', async () => {
    const { ic, closer, journal } = await setup();
    const left = Array.from({ length: 10 }, (_, i): OpenKey => ({ canisterId: testCanisterId(1), clientKey: { client_principal: testPrincipal(40 + i), client_nonce: 1n } }));
    for (const key of left) await journal.opened(key);
    const done = closer.closeLeftBehind(left, 3);
    await flushMicrotasks();
    expect(ic.closes).toHaveLength(3);
    ic.closes[0]!.answer.resolve();
    await flushMicrotasks();
    expect(ic.closes).toHaveLength(4);
    for (let answered = 1; answered < 10; answered++) {
      await flushMicrotasks();
      ic.closes[answered]!.answer.resolve();
    }
    await done;
    expect(ic.closes).toHaveLength(10);
    // The first key of setup() is still open; the ten are closed.
    expect(journal.openCount).toBe(1);
  });
});
