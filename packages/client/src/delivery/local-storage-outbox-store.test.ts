import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '../../tests/support/memory-storage';
import { localStorageOutboxStore } from './local-storage-outbox-store';
import type { StoredOutboxMessage } from './outbox-store';

const scope = { canisterId: 'bkyz2-fmaaa-aaaaa-qaaaq-cai', principal: 'aaaaa-aa' };
const outbox = new Uint8Array(16).fill(0xab);
const message = (index: bigint, relayed = false): StoredOutboxMessage => ({
  id: `${'ab'.repeat(16)}:${index}`,
  outbox,
  index,
  content: Uint8Array.of(0x44, 0x49, 0x44, 0x4c, 0, 0x71, 2, 0xff, 0x00),
  createdAtMs: 1_700_000_000_000,
  relayed,
});

describe('localStorageOutboxStore', () => {
  it('stores one key per message and loads them back, bytes and bigints intact', () => {
    const storage = new MemoryStorage();
    const store = localStorageOutboxStore({ storage });
    store.put(scope, message(1n));
    store.put(scope, message(18_446_744_073_709_551_615n, true));
    expect([...storage.entries.keys()]).toEqual([
      `ic-ws-outbox/${scope.canisterId}/${scope.principal}/${'ab'.repeat(16)}:1`,
      `ic-ws-outbox/${scope.canisterId}/${scope.principal}/${'ab'.repeat(16)}:18446744073709551615`,
    ]);
    expect(store.load(scope)).toEqual([message(1n), message(18_446_744_073_709_551_615n, true)]);
    store.delete(scope, message(1n).id);
    expect(store.load(scope)).toEqual([message(18_446_744_073_709_551_615n, true)]);
  });

  it('keeps canisters, principals and prefixes apart', () => {
    const storage = new MemoryStorage();
    localStorageOutboxStore({ storage }).put(scope, message(1n));
    expect(localStorageOutboxStore({ storage }).load({ ...scope, principal: '2vxsx-fae' })).toEqual([]);
    expect(localStorageOutboxStore({ storage }).load({ ...scope, canisterId: 'aaaaa-aa' })).toEqual([]);
    expect(localStorageOutboxStore({ storage, prefix: 'other' }).load(scope)).toEqual([]);
  });

  it.each([
    ['not JSON', '{'],
    ['another version', JSON.stringify({ v: 2 })],
    ['a bad outbox id', JSON.stringify({ v: 1, outbox: 'zz', index: '1', content: '', createdAtMs: 1, relayed: false })],
    ['index 0', JSON.stringify({ v: 1, outbox: 'ab'.repeat(16), index: '0', content: '', createdAtMs: 1, relayed: false })],
    ['bad base64', JSON.stringify({ v: 1, outbox: 'ab'.repeat(16), index: '1', content: 'abc', createdAtMs: 1, relayed: false })],
    ['an id that does not match its key', JSON.stringify({ v: 1, outbox: 'ab'.repeat(16), index: '2', content: '', createdAtMs: 1, relayed: false })],
  ])('drops an entry that is %s, keeping the others', (_, text) => {
    const storage = new MemoryStorage();
    const store = localStorageOutboxStore({ storage });
    store.put(scope, message(3n));
    const badKey = `ic-ws-outbox/${scope.canisterId}/${scope.principal}/${'ab'.repeat(16)}:1`;
    storage.entries.set(badKey, text);
    expect(store.load(scope)).toEqual([message(3n)]);
    expect(storage.entries.has(badKey)).toBe(false);
  });

  it('says so when there is no localStorage', () => {
    expect(() => localStorageOutboxStore().load(scope)).toThrow(/no localStorage here/);
  });
});
