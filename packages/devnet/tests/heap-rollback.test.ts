/**
 * The heap rollback strategies on the real Azle counter. `'checked'` runs the default dirty-page tracking and
 * verifies after every execution that memory equals the committed copy, so a single heap write the
 * instrumentation missed fails this test. `'full-copy'` is the reference strategy.
 */
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { beforeAll, describe, expect, it } from 'vitest';
import { Clock } from '../src/scheduling/clock';
import type { ExecutionStats } from '../src/execution/execution-stats';
import { Subnet } from '../src/scheduling/subnet';
import type { CallOutcome } from '../src/execution/types';
import { buildCounter, counterInitArg, NO_ARGS } from './canisters/counter-fixture';

const USER = Principal.fromUint8Array(Uint8Array.from([7, 7, 7, 7, 7, 7, 7, 7, 7, 3]));

function decode<T>(type: IDL.Type, outcome: CallOutcome): T {
  if (outcome.status !== 'replied') throw new Error(`expected a reply, got ${JSON.stringify(outcome)}`);
  return IDL.decode([type], outcome.reply)[0] as T;
}

let wasm: Uint8Array;

beforeAll(async () => {
  ({ wasm } = await buildCounter());
}, 180_000);

describe.each(['checked', 'full-copy'] as const)('heap rollback %s with the Azle counter', (mode) => {
  it('keeps the canister exact across commits, traps, queries, timers, calls, heap growth and upgrades', async () => {
    const clock = Clock.manual(Date.UTC(2025, 0, 1));
    const warnings: string[] = [];
    const stats: ExecutionStats[] = [];
    const subnet = new Subnet({
      clock,
      dataCertificate: () => new Uint8Array(0),
      heapRollback: mode,
      log: (entry) => entry.level === 'warn' && warnings.push(entry.message),
      onExecution: (entry) => stats.push(entry),
    });
    try {
      const id = await subnet.install({ wasm, arg: counterInitArg('rollback') });
      await subnet.tick();
      const update = (methodName: string, arg: Uint8Array = NO_ARGS) => subnet.update({ canisterId: id, methodName, arg, caller: USER });
      const query = (methodName: string, arg: Uint8Array = NO_ARGS) => subnet.query({ canisterId: id, methodName, arg, caller: USER });
      const value = async () => decode<bigint>(IDL.Nat64, await query('get'));

      for (let i = 1n; i <= 3n; i++) expect(decode<bigint>(IDL.Nat64, await update('increment'))).toBe(i);
      expect(await update('incrementThenTrap')).toMatchObject({ status: 'rejected', errorCode: 'IC0503' });
      expect(await value()).toBe(3n);
      expect(await update('forbidden')).toMatchObject({ status: 'rejected', errorCode: 'IC0406' });
      await update('put', new Uint8Array(IDL.encode([IDL.Text, IDL.Text], ['k', 'v'])));
      expect(decode<[] | [string]>(IDL.Opt(IDL.Text), await query('lookup', new Uint8Array(IDL.encode([IDL.Text], ['k']))))).toEqual(['v']);
      expect(decode<Uint8Array>(IDL.Vec(IDL.Nat8), await update('randomBytes'))).toHaveLength(32);
      const relay = new Uint8Array(IDL.encode([IDL.Principal, IDL.Text], [id, 'increment']));
      expect(decode<string>(IDL.Text, await update('relay', relay))).toBe('replied:4');
      expect(decode<number>(IDL.Nat32, await update('growHeap', new Uint8Array(IDL.encode([IDL.Nat32], [6 << 20]))))).toBe(6 << 20);
      expect(await update('incrementThenTrap')).toMatchObject({ status: 'rejected' });
      expect(decode<bigint>(IDL.Nat64, await update('increment'))).toBe(5n);
      await update('armTimerIn', new Uint8Array(IDL.encode([IDL.Nat32], [1])));
      subnet.advanceTime(1_500);
      await subnet.tick();
      expect(decode<bigint>(IDL.Nat64, await query('getTimerFired'))).toBe(2n);
      await subnet.upgrade({ canisterId: id, wasm, arg: counterInitArg('again') });
      expect(await value()).toBe(5n);
      expect(decode<bigint>(IDL.Nat64, await update('increment'))).toBe(6n);
      expect(warnings).toEqual([]);

      // Dirty pages copy a small part of the heap; a full copy the whole of it (capture before inspect_message).
      const last = stats.filter((entry) => entry.kind === 'inspect_message').at(-1)!;
      const heapPages = last.heapBytes / 65_536;
      if (mode === 'checked') expect(last.copiedPages).toBeLessThan(heapPages / 4);
      else expect(last.copiedPages).toBeGreaterThanOrEqual(heapPages);
    } finally {
      await subnet.close();
    }
  }, 60_000);
});
