import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { ErrorCode, IcWsError } from 'ic-ws-protocol';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Clock } from '../src/scheduling/clock';
import { Subnet } from '../src/scheduling/subnet';
import type { CallOutcome } from '../src/execution/types';
import {
  buildCounter,
  CertifiedValue,
  counterInitArg,
  encodeCounterValue,
  NO_ARGS,
} from './canisters/counter-fixture';

const USER = Principal.fromUint8Array(Uint8Array.from([7, 7, 7, 7, 7, 7, 7, 7, 7, 2]));
const FAKE_CERTIFICATE = Uint8Array.from([0xd9, 0xd9, 0xf7, 0xa0]);

function replyOf(outcome: CallOutcome): Uint8Array {
  if (outcome.status !== 'replied') throw new Error(`expected a reply, got ${JSON.stringify(outcome)}`);
  return outcome.reply;
}

function decode<T>(types: IDL.Type[], outcome: CallOutcome): T {
  return IDL.decode(types, replyOf(outcome))[0] as T;
}

describe('Subnet running the Azle counter canister', () => {
  let wasm: Uint8Array;
  let subnet: Subnet;
  let clock: Clock;
  let id: Principal;
  let certifiedChanges: string[];

  const update = (methodName: string, arg: Uint8Array = NO_ARGS, caller = USER) =>
    subnet.update({ canisterId: id, methodName, arg, caller });
  const query = (methodName: string, arg: Uint8Array = NO_ARGS, caller = USER) =>
    subnet.query({ canisterId: id, methodName, arg, caller });
  const value = async () => decode<bigint>([IDL.Nat64], await query('get'));
  const timerFired = async () => decode<bigint>([IDL.Nat64], await query('getTimerFired'));
  const lookup = async (key: string) =>
    decode<[] | [string]>([IDL.Opt(IDL.Text)], await query('lookup', new Uint8Array(IDL.encode([IDL.Text], [key]))));

  beforeAll(async () => {
    wasm = (await buildCounter()).wasm;
  }, 180_000);

  beforeEach(async () => {
    clock = Clock.manual(Date.UTC(2025, 0, 1));
    subnet = new Subnet({ clock, dataCertificate: () => FAKE_CERTIFICATE });
    certifiedChanges = [];
    subnet.onCertifiedDataChange((changed) => certifiedChanges.push(changed.toText()));
    id = await subnet.install({ wasm, arg: counterInitArg('hello') });
    await subnet.tick();
  });

  afterEach(async () => {
    await subnet.close();
  });

  it('allocates IC-style canister ids and lists the installed canister', () => {
    expect(id.toText()).toBe('rwlgt-iiaaa-aaaaa-aaaaa-cai');
    expect(subnet.hasCanister(id)).toBe(true);
    expect(subnet.canisterIds().map((p) => p.toText())).toEqual([id.toText()]);
  });

  it('answers updates and queries with Candid replies; init received its argument', async () => {
    expect(decode<bigint>([IDL.Nat64], await update('increment'))).toBe(1n);
    expect(decode<bigint>([IDL.Nat64], await update('increment'))).toBe(2n);
    expect(await value()).toBe(2n);
    expect(decode<string>([IDL.Text], await query('getLabel'))).toBe('hello');
  });

  it('commits certified data, notifies listeners and hands the data certificate to queries', async () => {
    await update('increment');
    expect(subnet.certifiedData(id)).toEqual(encodeCounterValue(1n));
    expect(certifiedChanges).toContain(id.toText());
    const certified = decode<{ value: bigint; certificate: [] | [Uint8Array] }>([CertifiedValue], await query('getCertified'));
    expect(certified.value).toBe(1n);
    expect(certified.certificate.length).toBe(1);
    expect([...(certified.certificate[0] ?? [])]).toEqual([...FAKE_CERTIFICATE]);
  });

  it('reports the caller to the canister', async () => {
    expect(decode<string>([IDL.Text], await update('whoami'))).toBe(USER.toText());
    expect(decode<string>([IDL.Text], await update('whoami', NO_ARGS, Principal.anonymous()))).toBe('2vxsx-fae');
  });

  it('rolls a trapping update back completely and keeps the runtime usable', async () => {
    await update('increment');
    const firedBefore = await timerFired();
    const outcome = await update('incrementThenTrap');
    expect(outcome).toMatchObject({ status: 'rejected', rejectCode: 5, errorCode: 'IC0503' });
    expect(outcome.status === 'rejected' && outcome.rejectMessage).toContain('incrementThenTrap: deliberate trap');
    expect(await value()).toBe(1n);
    expect(subnet.certifiedData(id)).toEqual(encodeCounterValue(1n));
    expect(await lookup('trap:was-here')).toEqual([]);
    clock.advance(1_000);
    await subnet.tick();
    expect(await timerFired()).toBe(firedBefore);
    for (let i = 2n; i <= 60n; i++) {
      if (i % 10n === 0n) expect((await update('incrementThenTrap')).status).toBe('rejected');
      expect(decode<bigint>([IDL.Nat64], await update('increment'))).toBe(i);
    }
  });

  it('fires global timers when the manual clock reaches them', async () => {
    expect(await timerFired()).toBe(1n); // the timer armed by init ran on the first tick
    await update('armTimerIn', new Uint8Array(IDL.encode([IDL.Nat32], [5])));
    clock.advance(4_000);
    await subnet.tick();
    expect(await timerFired()).toBe(1n);
    subnet.advanceTime(2_000);
    await subnet.tick();
    expect(await timerFired()).toBe(2n);
  });

  it('keeps stable memory across an upgrade, resets the heap and runs both hooks', async () => {
    await update('put', new Uint8Array(IDL.encode([IDL.Text, IDL.Text], ['color', 'blue'])));
    await update('increment');
    await update('increment');
    await subnet.upgrade({ canisterId: id, wasm, arg: counterInitArg('upgraded') });
    expect(await lookup('color')).toEqual(['blue']);
    expect(await lookup('hook:preUpgrade')).toEqual(['1']);
    expect(await lookup('hook:postUpgrade')).toEqual(['1']);
    expect(await value()).toBe(2n); // restored by postUpgrade from stable memory
    expect(decode<string>([IDL.Text], await query('getLabel'))).toBe('upgraded');
    expect(await timerFired()).toBe(0n); // heap state is gone until the re-armed timer runs
    await subnet.tick();
    expect(await timerFired()).toBe(1n);
    expect(decode<bigint>([IDL.Nat64], await update('increment'))).toBe(3n);
  });

  it('answers raw_rand calls to the management canister with 32 fresh random bytes', async () => {
    const first = decode<Uint8Array>([IDL.Vec(IDL.Nat8)], await update('randomBytes'));
    const second = decode<Uint8Array>([IDL.Vec(IDL.Nat8)], await update('randomBytes'));
    expect(first.length).toBe(32);
    expect(second.length).toBe(32);
    expect([...first]).not.toEqual([...second]);
  });

  it('routes inter-canister calls between installed canisters, replies and rejects alike', async () => {
    const other = await subnet.install({ wasm, arg: counterInitArg('other') });
    expect(other.toText()).toBe('rrkah-fqaaa-aaaaa-aaaaq-cai');
    const relay = async (target: Principal, method: string) =>
      decode<string>([IDL.Text], await update('relay', new Uint8Array(IDL.encode([IDL.Principal, IDL.Text], [target, method]))));
    expect(await relay(other, 'increment')).toBe('replied:1');
    expect(await relay(other, 'increment')).toBe('replied:2');
    const otherValue = await subnet.query({ canisterId: other, methodName: 'get', arg: NO_ARGS, caller: USER });
    expect(decode<bigint>([IDL.Nat64], otherValue)).toBe(2n);
    expect(await value()).toBe(0n);
    const trapped = await relay(other, 'incrementThenTrap');
    expect(trapped).toMatch(/^rejected:.*"rejectCode":5/);
    expect(trapped).toContain('deliberate trap');
    expect(await relay(other, 'nope')).toMatch(/^rejected:.*"rejectCode":5.*has no update method 'nope'/);
    const missing = Principal.fromText('ryjl3-tyaaa-aaaaa-aaaba-cai');
    expect(await relay(missing, 'increment')).toMatch(/^rejected:.*"rejectCode":3.*not found/);
    expect(await relay(id, 'increment')).toBe('replied:1'); // a call to itself
  });

  it('rejects unsupported management canister methods to the calling canister', async () => {
    const text = decode<string>([IDL.Text], await update('callUnsupported'));
    expect(text).toMatch(/^rejected: /);
    expect(text).toContain("Management canister has no method 'bitcoin_get_balance'");
  });

  it('rejects a missing method or canister with the replica codes', async () => {
    expect(await update('nope')).toMatchObject({ status: 'rejected', rejectCode: 5, errorCode: 'IC0536' });
    expect(await query('nope')).toMatchObject({ status: 'rejected', rejectCode: 5, errorCode: 'IC0536' });
    expect(await query('increment')).toMatchObject({ status: 'rejected', errorCode: 'IC0536' });
    const missing = Principal.fromText('rrkah-fqaaa-aaaaa-aaaaq-cai');
    const call = { canisterId: missing, methodName: 'get', arg: NO_ARGS, caller: USER };
    expect(await subnet.update(call)).toMatchObject({ status: 'rejected', rejectCode: 3, errorCode: 'IC0301' });
    expect(await subnet.query(call)).toMatchObject({ status: 'rejected', rejectCode: 3, errorCode: 'IC0301' });
  });

  it('rejects ingress messages inspect_message refuses, without running them', async () => {
    expect(await update('forbidden')).toMatchObject({ status: 'rejected', rejectCode: 4, errorCode: 'IC0406' });
    expect(await value()).toBe(0n);
  });

  it("refuses outside calls to ic-cdk's timer executor", async () => {
    const outcome = await update('<ic-cdk internal> timer_executor');
    expect(outcome).toMatchObject({ status: 'rejected', rejectCode: 5 });
  });

  it('serializes concurrent updates', async () => {
    const outcomes = await Promise.all(Array.from({ length: 25 }, () => update('increment')));
    const values = outcomes.map((outcome) => decode<bigint>([IDL.Nat64], outcome));
    expect(values).toEqual(Array.from({ length: 25 }, (_, i) => BigInt(i + 1)));
    expect(await value()).toBe(25n);
  });

  it('refuses an init argument of the wrong type and does not register the canister', async () => {
    const error = await subnet.install({ wasm, arg: NO_ARGS }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IcWsError);
    expect((error as IcWsError).code).toBe(ErrorCode.CanisterInstallFailed);
    expect(subnet.canisterIds()).toHaveLength(1);
  });

  it('turns a failing data certificate provider into a rolled-back trap', async () => {
    const failing = new Subnet({
      clock,
      dataCertificate: () => {
        throw new IcWsError(ErrorCode.InvalidOptions, 'no certificate today');
      },
    });
    try {
      const canisterId = await failing.install({ wasm, arg: counterInitArg() });
      const call = { canisterId, arg: NO_ARGS, caller: USER };
      const outcome = await failing.query({ ...call, methodName: 'getCertified' });
      expect(outcome).toMatchObject({ status: 'rejected', rejectCode: 5, errorCode: 'IC0502' });
      expect(outcome.status === 'rejected' && outcome.rejectMessage).toContain('no certificate today');
      expect(decode<bigint>([IDL.Nat64], await failing.update({ ...call, methodName: 'increment' }))).toBe(1n);
    } finally {
      await failing.close();
    }
  });

  it('refuses to upgrade an unknown canister and rejects calls after close', async () => {
    const missing = Principal.fromText('rrkah-fqaaa-aaaaa-aaaaq-cai');
    const error = await subnet.upgrade({ canisterId: missing, wasm }).catch((e: unknown) => e);
    expect((error as IcWsError).code).toBe(ErrorCode.CanisterNotFound);
    await subnet.close();
    expect(await update('increment')).toMatchObject({ status: 'rejected', errorCode: 'IC0508' });
  });
});
