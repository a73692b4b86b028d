/**
 * The IC's limits as a user meets them: the real @dfinity/agent against the devnet's HTTP interface and the
 * real Azle limits canister. An ingress message over 2 MiB is refused with 413 and the replica's text, a
 * query reply over 3 MiB is rejected with IC0504, a handler past the instruction limit with IC0522; the
 * agent surfaces each with the replica's wording.
 */
import { Actor, AgentError, CertifiedRejectErrorCode, HttpAgent, HttpErrorCode, RejectError } from '@dfinity/agent';
import { IDL } from '@dfinity/candid';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import type { Principal } from '@dfinity/principal';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_INGRESS_BYTES, MAX_QUERY_REPLY_BYTES, startDevnet, type Devnet, type ExecutionStats } from '../src/index';
import { buildLimits } from './canisters/metering-fixtures';

interface LimitsActor {
  trappedByInspect(): Promise<void>;
  take(payload: Uint8Array): Promise<number>;
  blob(bytes: number): Promise<Uint8Array>;
  bumpThenBurn(mib: number): Promise<void>;
  get(): Promise<bigint>;
}

const limitsIdlFactory: IDL.InterfaceFactory = ({ IDL: idl }) =>
  idl.Service({
    trappedByInspect: idl.Func([], [], []),
    take: idl.Func([idl.Vec(idl.Nat8)], [idl.Nat32], []),
    blob: idl.Func([idl.Nat32], [idl.Vec(idl.Nat8)], ['query']),
    bumpThenBurn: idl.Func([idl.Nat32], [], []),
    get: idl.Func([], [idl.Nat64], ['query']),
  });

let devnet: Devnet;
let canisterId: Principal;
let limits: LimitsActor;
const executions: ExecutionStats[] = [];

beforeAll(async () => {
  const wasm = await buildLimits();
  devnet = await startDevnet({ time: 'manual', onExecution: (stats) => executions.push(stats) });
  canisterId = await devnet.install({ wasm });
  await devnet.tick();
  const agent = await HttpAgent.create({
    host: devnet.url,
    identity: Ed25519KeyIdentity.generate(),
    shouldFetchRootKey: true,
    verifyQuerySignatures: true,
    retryTimes: 0,
  });
  limits = Actor.createActor<LimitsActor>(limitsIdlFactory, { agent, canisterId });
}, 180_000);

afterAll(async () => {
  await devnet?.close();
});

async function failure(promise: Promise<unknown>): Promise<AgentError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(AgentError);
  return error as AgentError;
}

describe('the IC limits through the real agent', () => {
  it('accepts an ingress message just under 2 MiB and refuses one over it with 413 and the replica text', async () => {
    expect(await limits.take(new Uint8Array(MAX_INGRESS_BYTES - 4096))).toBe(MAX_INGRESS_BYTES - 4096);
    const executed = executions.length;
    const error = await failure(limits.take(new Uint8Array(MAX_INGRESS_BYTES)));
    expect(error.code).toBeInstanceOf(HttpErrorCode);
    const code = error.code as HttpErrorCode;
    expect(code.status).toBe(413);
    expect(code.bodyText).toMatch(
      new RegExp(`^Request [0-9a-f]{64} is too large\\. Message byte size \\d+ is larger than the max allowed ${MAX_INGRESS_BYTES}\\.$`),
    );
    // Refused before execution: the canister never ran.
    expect(executions.length).toBe(executed);
  });

  it('rejects a query reply over 3 MiB with IC0504 and the replica text', async () => {
    expect((await limits.blob(MAX_QUERY_REPLY_BYTES - 16)).length).toBe(MAX_QUERY_REPLY_BYTES - 16);
    const error = await failure(limits.blob(MAX_QUERY_REPLY_BYTES));
    expect(error).toBeInstanceOf(RejectError);
    expect(error.message).toContain('IC0504');
    expect(error.message).toMatch(
      new RegExp(
        `Error from Canister ${canisterId.toText()}: Canister violated contract: ic0\\.msg_reply_data_append: ` +
          `application payload size \\(\\d+\\) cannot be larger than ${MAX_QUERY_REPLY_BYTES}\\.`,
      ),
    );
  });

  it('refuses a call whose inspect_message traps at once, uncertified, as a replica refuses it at submission', async () => {
    const before = await limits.get();
    const error = await failure(limits.trappedByInspect());
    expect(error).toBeInstanceOf(RejectError);
    // The agent got a non_replicated_rejection answer, not a certified reject.
    expect(error.code).not.toBeInstanceOf(CertifiedRejectErrorCode);
    expect(error.message).toContain('IC0503');
    expect(error.message).toContain('inspect_message refuses trappedByInspect');
    expect(await limits.get()).toBe(before);
  });

  it('rejects an update past the instruction limit with IC0522, certified, and keeps the state', async () => {
    const before = await limits.get();
    const error = await failure(limits.bumpThenBurn(1));
    expect(error).toBeInstanceOf(RejectError);
    expect(error.message).toContain('IC0522');
    expect(error.code).toBeInstanceOf(CertifiedRejectErrorCode);
    expect(error.message).toContain('Canister exceeded the limit of 40000000000 instructions for single message execution');
    expect(await limits.get()).toBe(before);
  }, 60_000);
});
