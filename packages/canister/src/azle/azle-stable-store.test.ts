import { describe, expect, it } from 'vitest';
import { ErrorCode } from 'ic-ws-protocol';
import { CanisterError } from '../canister-error';
import { FakeAzle } from '../testing/fake-azle';
import { AZLE_DEFAULT_MEMORY_IDS, AzleStableStore } from './azle-stable-store';

describe('AzleStableStore', () => {
  it('stores UTF-8 keys and raw bytes, and gives copies, not views of what it stores', () => {
    const azle = new FakeAzle();
    const map = new AzleStableStore(azle).map('clients');
    const value = Uint8Array.of(1, 2, 3);
    map.set('ключ_1', value);
    value[0] = 99;
    const read = map.get('ключ_1');
    expect(read).toEqual(Uint8Array.of(1, 2, 3));
    read![1] = 99;
    expect(map.get('ключ_1')).toEqual(Uint8Array.of(1, 2, 3));
    // Raw bytes in stable memory: not azle's default JSON encoding.
    expect([...azle.memories.get(AZLE_DEFAULT_MEMORY_IDS.clients)!.values()]).toEqual([Uint8Array.of(1, 2, 3)]);
    map.delete('ключ_1');
    map.delete('never there');
    expect(map.get('ключ_1')).toBeUndefined();
  });

  it('lists every entry across pages, and a new store over the same memory (an upgrade) sees them', () => {
    const azle = new FakeAzle();
    const map = new AzleStableStore(azle).map('messages');
    for (let i = 0; i < 2500; i++) map.set(`m${String(i).padStart(5, '0')}`, Uint8Array.of(i & 0xff));
    const after = [...new AzleStableStore(azle).map('messages').entries()];
    expect(after).toHaveLength(2500);
    expect(new Set(after.map(([key]) => key)).size).toBe(2500);
    expect(after.find(([key]) => key === 'm01234')?.[1]).toEqual(Uint8Array.of(1234 & 0xff));
  });

  it('gives each map its own memory id and the same map for the same name', () => {
    const azle = new FakeAzle();
    const store = new AzleStableStore(azle, { meta: 3 });
    expect(store.map('meta')).toBe(store.map('meta'));
    store.map('meta').set('a', Uint8Array.of(1));
    store.map('gateways').set('a', Uint8Array.of(2));
    expect(azle.memories.get(3)?.size).toBe(1);
    expect(azle.memories.get(AZLE_DEFAULT_MEMORY_IDS.gateways)?.size).toBe(1);
    expect(store.memoryIds).toEqual({ ...AZLE_DEFAULT_MEMORY_IDS, meta: 3 });
  });

  it.each([
    [{ meta: 254 }, /0 to 253/],
    [{ meta: -1 }, /0 to 253/],
    [{ meta: 1.5 }, /0 to 253/],
    [{ meta: AZLE_DEFAULT_MEMORY_IDS.clients }, /distinct/],
  ])('rejects memory ids %j with INVALID_OPTIONS', (ids, message) => {
    const error = (() => {
      try {
        new AzleStableStore(new FakeAzle(), ids);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(CanisterError);
    expect((error as CanisterError).code).toBe(ErrorCode.InvalidOptions);
    expect((error as CanisterError).message).toMatch(message);
  });
});
