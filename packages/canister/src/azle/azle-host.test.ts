import { Principal } from '@dfinity/principal';
import { describe, expect, it } from 'vitest';
import { FakeAzle } from '../testing/fake-azle';
import { azleHost } from './azle-host';
import { AZLE_DEFAULT_MEMORY_IDS } from './azle-stable-store';

describe('azleHost', () => {
  it('passes caller, time, certified data and the data certificate through to azle', () => {
    const azle = new FakeAzle();
    const host = azleHost(azle);
    azle.caller = Principal.fromText('aaaaa-aa');
    azle.nowNs = 42n;
    azle.certificate = Uint8Array.of(9, 9);
    host.certifiedDataSet(Uint8Array.of(1, 2, 3));
    expect(host.caller().toText()).toBe('aaaaa-aa');
    expect(host.time()).toBe(42n);
    expect(host.dataCertificate()).toEqual(Uint8Array.of(9, 9));
    expect(azle.certified).toEqual([Uint8Array.of(1, 2, 3)]);
  });

  it('arms timers in whole seconds, rounding up so a timer never fires early', () => {
    const azle = new FakeAzle();
    const host = azleHost(azle);
    const seconds = [0, 1, 999, 1000, 1001, 60_001, 300_000].map((ms) => {
      const id = host.setTimer(ms, () => {});
      return azle.timers.get(id as bigint)?.seconds;
    });
    expect(seconds).toEqual([0, 1, 1, 1, 2, 61, 300]);
  });

  it('clears azle timers by id and ignores ids it did not make', () => {
    const azle = new FakeAzle();
    const host = azleHost(azle);
    const id = host.setTimer(5000, () => {});
    host.clearTimer(id);
    host.clearTimer('not a timer');
    expect(azle.cleared).toEqual([id]);
    expect(azle.timers.size).toBe(0);
  });

  it('keeps its state in StableBTreeMaps at the default memory ids, or the ids given', () => {
    const azle = new FakeAzle();
    azleHost(azle).stableStore.map('messages').set('k', Uint8Array.of(1));
    expect([...azle.memories.keys()]).toEqual([AZLE_DEFAULT_MEMORY_IDS.messages]);
    azleHost(azle, { memoryIds: { messages: 7 } }).stableStore.map('messages').set('k', Uint8Array.of(2));
    expect(azle.memories.get(7)?.size).toBe(1);
  });
});
