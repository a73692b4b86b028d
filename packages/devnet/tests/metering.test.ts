/**
 * Instruction metering and the IC's reply size limits on real Azle canisters: counts as a replica counts
 * them, limits enforced with the replica's errors, state rolled back.
 */
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CYCLES_FEES } from '../src/execution/cycles-fees';
import type { ExecutionStats } from '../src/execution/execution-stats';
import { MAX_QUERY_REPLY_BYTES, MAX_REPLY_BYTES } from '../src/execution/execution-context';
import type { CallOutcome } from '../src/execution/types';
import { Clock } from '../src/scheduling/clock';
import { Subnet } from '../src/scheduling/subnet';
import { buildLimits, buildMinimal } from './canisters/metering-fixtures';

const CALLER = Principal.fromUint8Array(Uint8Array.from([9, 9, 9, 9, 9, 9, 9, 9, 9, 2]));
const NO_ARGS = new Uint8Array(IDL.encode([], []));
const nat32 = (value: number): Uint8Array => new Uint8Array(IDL.encode([IDL.Nat32], [value]));

function replyOf(outcome: CallOutcome): Uint8Array {
  if (outcome.status !== 'replied') throw new Error(`expected a reply, got ${outcome.rejectMessage}`);
  return outcome.reply;
}

describe('instruction metering of Azle canisters', () => {
  let minimalWasm: Uint8Array;
  let limitsWasm: Uint8Array;
  let subnet: Subnet;
  let minimal: Principal;
  let limits: Principal;
  const executions: ExecutionStats[] = [];

  beforeAll(async () => {
    [minimalWasm, limitsWasm] = await Promise.all([buildMinimal(), buildLimits()]);
    subnet = new Subnet({
      clock: Clock.manual(Date.UTC(2025, 0, 1)),
      dataCertificate: () => new Uint8Array(0),
      onExecution: (stats) => executions.push(stats),
    });
    minimal = await subnet.install({ wasm: minimalWasm });
    limits = await subnet.install({ wasm: limitsWasm });
    await subnet.tick();
  }, 180_000);

  afterAll(async () => {
    await subnet?.close();
  });

  const update = (canisterId: Principal, methodName: string, arg: Uint8Array = NO_ARGS) =>
    subnet.update({ canisterId, methodName, arg, caller: CALLER });
  const query = (canisterId: Principal, methodName: string, arg: Uint8Array = NO_ARGS) =>
    subnet.query({ canisterId, methodName, arg, caller: CALLER });
  const value = async (): Promise<bigint> => IDL.decode([IDL.Nat64], replyOf(await query(limits, 'get')))[0] as bigint;

  it('measures an empty update of a minimal Azle canister at 0.9-1.3 M instructions, as a replica does', async () => {
    const samples: bigint[] = [];
    for (let i = 0; i < 5; i++) {
      const outcome = await update(minimal, 'noop');
      expect(outcome.status).toBe('replied');
      samples.push(outcome.cost!.instructions);
    }
    for (const instructions of samples) {
      expect(instructions).toBeGreaterThanOrEqual(900_000n);
      expect(instructions).toBeLessThanOrEqual(1_300_000n);
    }
  });

  it('charges the replica fees: ingress induction, the execution fee and one cycle per instruction', async () => {
    const outcome = await update(minimal, 'noop');
    const cost = outcome.cost!;
    const [execution] = cost.executions;
    expect(cost.executions.map((stats) => `${stats.kind} ${stats.methodName}`)).toEqual(['update noop']);
    expect(execution!.cycles).toBe(CYCLES_FEES.updateMessageExecution + execution!.instructions!);
    const ingressBytes = BigInt('noop'.length + NO_ARGS.length);
    expect(cost.cycles).toBe(CYCLES_FEES.ingressMessageReception + CYCLES_FEES.ingressByteReception * ingressBytes + execution!.cycles);
    expect(executions.at(-1)).toMatchObject({ kind: 'update', methodName: 'noop', instructions: execution!.instructions });
  });

  it('counts init (about 1 B instructions for Azle, as on a replica) and leaves queries free', async () => {
    const init = executions.find((stats) => stats.kind === 'init' && stats.canisterId === minimal.toText());
    expect(init!.instructions).toBeGreaterThan(500_000_000n);
    expect(init!.instructions).toBeLessThan(2_000_000_000n);
    const outcome = await query(limits, 'get');
    expect(outcome.cost!.instructions).toBeGreaterThan(0n);
    expect(outcome.cost!.cycles).toBe(0n);
  });

  it('answers ic0.performance_counter(0) with the instructions run so far', async () => {
    const measure = async (iterations: number) => {
      const outcome = await update(limits, 'countLoop', nat32(iterations));
      const [[before, after]] = IDL.decode([IDL.Tuple(IDL.Nat64, IDL.Nat64)], replyOf(outcome)) as unknown as [[bigint, bigint]];
      return { before, after, total: outcome.cost!.instructions };
    };
    const short = await measure(1_000);
    const long = await measure(100_000);
    for (const run of [short, long]) {
      expect(run.before).toBeGreaterThan(0n);
      expect(run.after).toBeGreaterThan(run.before);
      expect(run.total).toBeGreaterThan(run.after);
    }
    // The loop's share grows with its length.
    expect(long.after - long.before).toBeGreaterThan(50n * (short.after - short.before));
  });

  it('stops an update at the 40 B instruction limit with the replica error and rolls its changes back', async () => {
    const before = await value();
    const outcome = await update(limits, 'bumpThenBurn', nat32(1));
    expect(outcome).toMatchObject({
      status: 'rejected',
      rejectCode: 5,
      errorCode: 'IC0522',
      rejectMessage:
        `Error from Canister ${limits.toText()}: Canister exceeded the limit of 40000000000 instructions for single message execution..\n` +
        'Try optimizing this method to consume fewer instructions or split the work across multiple messages. ' +
        'See documentation: http://internetcomputer.org/docs/current/references/execution-errors#instruction-limit-exceeded',
    });
    expect(outcome.cost!.instructions).toBe(40_000_000_000n);
    expect(await value()).toBe(before);
    // The canister carries on.
    expect(IDL.decode([IDL.Nat64], replyOf(await update(limits, 'bump')))[0]).toBe(before + 1n);
  }, 60_000);

  it('stops a query at the 5 B query limit', async () => {
    const outcome = await query(limits, 'burnQuery', nat32(1));
    expect(outcome).toMatchObject({ status: 'rejected', errorCode: 'IC0522' });
    expect(outcome.status === 'rejected' && outcome.rejectMessage).toContain('limit of 5000000000 instructions');
  }, 30_000);

  it('rejects a query reply over 3 MiB and an update reply over 2 MiB with the replica error', async () => {
    expect((await query(limits, 'blob', nat32(MAX_QUERY_REPLY_BYTES - 16))).status).toBe('replied');
    const tooBig = await query(limits, 'blob', nat32(MAX_QUERY_REPLY_BYTES));
    expect(tooBig).toMatchObject({ status: 'rejected', rejectCode: 5, errorCode: 'IC0504' });
    expect(tooBig.status === 'rejected' && tooBig.rejectMessage).toMatch(
      new RegExp(
        `^Error from Canister ${limits.toText()}: Canister violated contract: ic0\\.msg_reply_data_append: ` +
          `application payload size \\(\\d+\\) cannot be larger than ${MAX_QUERY_REPLY_BYTES}\\.$`,
      ),
    );
    expect((await update(limits, 'blobUpdate', nat32(MAX_REPLY_BYTES - 16))).status).toBe('replied');
    const tooBigUpdate = await update(limits, 'blobUpdate', nat32(MAX_REPLY_BYTES));
    expect(tooBigUpdate).toMatchObject({ status: 'rejected', errorCode: 'IC0504' });
    expect(tooBigUpdate.status === 'rejected' && tooBigUpdate.rejectMessage).toContain(`cannot be larger than ${MAX_REPLY_BYTES}.`);
  });
});

describe('a subnet with metering off', () => {
  it('runs canisters without counts or limits; performance_counter answers 0', async () => {
    const subnet = new Subnet({ clock: Clock.manual(), dataCertificate: () => new Uint8Array(0), metering: false });
    try {
      const id = await subnet.install({ wasm: await buildLimits() });
      const outcome = await subnet.update({ canisterId: id, methodName: 'countLoop', arg: nat32(10), caller: CALLER });
      expect(IDL.decode([IDL.Tuple(IDL.Nat64, IDL.Nat64)], replyOf(outcome))[0]).toEqual([0n, 0n]);
      expect(outcome.cost!.executions[0]!.instructions).toBeUndefined();
      expect(outcome.cost!.instructions).toBe(0n);
    } finally {
      await subnet.close();
    }
  }, 180_000);
});
