import type { Principal } from '@dfinity/principal';
import { describe, expect, it } from 'vitest';
import { testCanisterId, testPrincipal } from '../testing/client-frames';
import { SessionTarget } from '../session/session-state';
import type { RoutedSession } from '../session/session-ports';
import type { CanisterPoller, CanisterSessions } from './canister-poller';
import { IDLE_POLLER_TTL_MS, PollerRegistry } from './poller-registry';

function target(canister: Principal, seed: number): SessionTarget {
  return SessionTarget.of(canister, { client_principal: testPrincipal(seed), client_nonce: BigInt(seed) });
}

const session = (): RoutedSession => ({ awaitingFirstMessage: false, deliver: () => {} });

function setup() {
  const log: string[] = [];
  const views = new Map<string, CanisterSessions>();
  let now = 0;
  const registry = new PollerRegistry(
    (canisterId, view) => {
      views.set(canisterId.toText(), view);
      log.push(`create ${canisterId.toText()}`);
      const poller = {
        activate: () => log.push(`activate ${canisterId.toText()}`),
        deactivate: () => log.push(`deactivate ${canisterId.toText()}`),
        stop: () => log.push(`stop ${canisterId.toText()}`),
        ready: () => Promise.resolve(),
        drain: () => Promise.resolve(),
        nudge: () => log.push(`nudge ${canisterId.toText()}`),
      };
      return poller as unknown as CanisterPoller;
    },
    () => now,
  );
  return { registry, log, views, advance: (ms: number) => (now += ms) };
}

describe('PollerRegistry', () => {
  const c1 = testCanisterId(1);
  const c2 = testCanisterId(2);

  it('activates one poller per canister, keeps it idle after its last session, and wakes the same one', () => {
    const { registry, log } = setup();
    const s1 = session();
    const s2 = session();
    const s3 = session();
    expect(registry.register(target(c1, 1), s1)).toBe(true);
    expect(registry.register(target(c1, 2), s2)).toBe(true);
    expect(registry.register(target(c2, 3), s3)).toBe(true);
    expect(registry.pollerCount).toBe(2);
    registry.unregister(target(c1, 1), s1);
    expect(log).toEqual([`create ${c1.toText()}`, `activate ${c1.toText()}`, `create ${c2.toText()}`, `activate ${c2.toText()}`]);
    registry.unregister(target(c1, 2), s2);
    expect(log.at(-1)).toBe(`deactivate ${c1.toText()}`);
    expect(registry.pollerCount).toBe(1);
    registry.register(target(c1, 4), session());
    expect(log.slice(-1)).toEqual([`activate ${c1.toText()}`]);
    expect(log.filter((l) => l.startsWith('create'))).toHaveLength(2);
  });

  it('forgets a poller idle for longer than IDLE_POLLER_TTL_MS', () => {
    const { registry, log, advance } = setup();
    const s1 = session();
    registry.register(target(c1, 1), s1);
    registry.unregister(target(c1, 1), s1);
    advance(IDLE_POLLER_TTL_MS);
    registry.register(target(c2, 2), session());
    expect(log).toContain(`stop ${c1.toText()}`);
    expect(registry.pollerOf(c1)).toBeUndefined();
    registry.register(target(c1, 3), session());
    expect(log.filter((l) => l === `create ${c1.toText()}`)).toHaveLength(2);
  });

  it('refuses a client key in use, and an unregister by a session that does not own the key is a no-op', () => {
    const { registry, views } = setup();
    const owner = session();
    const intruder = session();
    registry.register(target(c1, 1), owner);
    expect(registry.register(target(c1, 1), intruder)).toBe(false);
    registry.unregister(target(c1, 1), intruder);
    expect(views.get(c1.toText())!.get(target(c1, 1).clientKeyId)).toBe(owner);
  });

  it('gives each poller a view of its own canister sessions', () => {
    const { registry, views } = setup();
    const waiting = { awaitingFirstMessage: true, deliver: () => {} };
    registry.register(target(c1, 1), session());
    registry.register(target(c2, 2), waiting);
    expect(views.get(c1.toText())!.anyAwaitingFirstMessage()).toBe(false);
    expect(views.get(c2.toText())!.anyAwaitingFirstMessage()).toBe(true);
    expect(views.get(c1.toText())!.get(target(c2, 2).clientKeyId)).toBeUndefined();
  });

  it('nudges the poller of the canister a call was relayed to, and nothing for an unknown canister', () => {
    const { registry, log } = setup();
    registry.register(target(c1, 1), session());
    registry.register(target(c2, 2), session());
    registry.relayed(c2);
    registry.relayed(testCanisterId(3));
    expect(log.filter((l) => l.startsWith('nudge'))).toEqual([`nudge ${c2.toText()}`]);
  });
});
