import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Clock } from '../src/scheduling/clock';
import { createIc0Imports } from '../src/execution/ic0-imports';
import { Subnet } from '../src/scheduling/subnet';
import type { CallOutcome } from '../src/execution/types';
import { buildCounter, counterInitArg, NO_ARGS } from './canisters/counter-fixture';

function nat64(outcome: CallOutcome): bigint {
  if (outcome.status !== 'replied') throw new Error(`expected a reply, got ${JSON.stringify(outcome)}`);
  return IDL.decode([IDL.Nat64], outcome.reply)[0] as bigint;
}

describe('Subnet with a real clock', () => {
  let wasm: Uint8Array;

  beforeAll(async () => {
    wasm = (await buildCounter()).wasm;
  }, 180_000);

  afterEach(() => {
    vi.useRealTimers();
  });

  it('provides every ic0 function the Azle template imports (and nothing else is imported)', () => {
    const imports = WebAssembly.Module.imports(new WebAssembly.Module(wasm as Uint8Array<ArrayBuffer>));
    expect(new Set(imports.map((entry) => entry.module))).toEqual(new Set(['ic0']));
    expect(imports).toHaveLength(44);
    const provided = createIc0Imports({} as Parameters<typeof createIc0Imports>[0]);
    for (const entry of imports) expect(provided, entry.name).toHaveProperty(entry.name);
  });

  it('fires global timers on its own when they become due', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const subnet = new Subnet({ clock: new Clock(), dataCertificate: () => new Uint8Array(0) });
    try {
      const canisterId = await subnet.install({ wasm, arg: counterInitArg() });
      const call = { canisterId, arg: NO_ARGS, caller: Principal.anonymous() };
      const fired = async () => nat64(await subnet.query({ ...call, methodName: 'getTimerFired' }));
      expect(await fired()).toBe(0n);
      await vi.advanceTimersByTimeAsync(0);
      expect(await fired()).toBe(1n);
      await subnet.update({ ...call, methodName: 'armTimerIn', arg: new Uint8Array(IDL.encode([IDL.Nat32], [3])) });
      await vi.advanceTimersByTimeAsync(2_900);
      expect(await fired()).toBe(1n);
      await vi.advanceTimersByTimeAsync(200);
      expect(await fired()).toBe(2n);
    } finally {
      await subnet.close();
    }
  });
});
