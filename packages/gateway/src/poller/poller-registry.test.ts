import type { Principal } from '@dfinity/principal';
import { describe, expect, it } from 'vitest';
import { testCanisterId, testPrincipal } from '../testing/client-frames';
import { clientKeyId, type SessionTarget } from '../session/session-state';
import type { RoutedSession } from '../session/session-ports';
import type { CanisterPoller, CanisterSessions } from './canister-poller';
import { PollerRegistry } from './poller-registry';

function target(canister: Principal, seed: number): SessionTarget {
  const clientKey = { client_principal: testPrincipal(seed), client_nonce: BigInt(seed) };
  return { canisterId: canister, clientKey, clientKeyId: clientKeyId(clientKey) };
}

const session = (): RoutedSession => ({ awaitingFirstMessage: false, deliver: () => {} });

function setup() {
  const log: string[] = [];
  const views = new Map<string, CanisterSessions>();
  const registry = new PollerRegistry((canisterId, view) => {
    views.set(canisterId.toText(), view);
    const poller = {
      start: () => log.push(`start ${canisterId.toText()}`),
      stop: () => log.push(`stop ${canisterId.toText()}`),
    };
    return poller as unknown as CanisterPoller;
  });
  return { registry, log, views };
}

describe('PollerRegistry', () => {
  const c1 = testCanisterId(1);
  const c2 = testCanisterId(2);

  it('starts one poller per canister and stops it with its last session', () => {
    const { registry, log } = setup();
    const s1 = session();
    const s2 = session();
    const s3 = session();
    expect(registry.register(target(c1, 1), s1)).toBe(true);
    expect(registry.register(target(c1, 2), s2)).toBe(true);
    expect(registry.register(target(c2, 3), s3)).toBe(true);
    expect(registry.pollerCount).toBe(2);
    registry.unregister(target(c1, 1), s1);
    expect(log).toEqual([`start ${c1.toText()}`, `start ${c2.toText()}`]);
    registry.unregister(target(c1, 2), s2);
    expect(log.at(-1)).toBe(`stop ${c1.toText()}`);
    expect(registry.pollerCount).toBe(1);
    registry.register(target(c1, 4), session());
    expect(log.at(-1)).toBe(`start ${c1.toText()}`);
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
});
