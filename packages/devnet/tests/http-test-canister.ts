/**
 * Test helper for the HTTP interface tests: an in-memory `ExecutionEnvironment` hosting one tiny JS
 * "canister" with a Candid interface, standing in for the wasm engine so the HTTP layer can be tested on
 * its own against the real @dfinity/agent. It follows the engine's contract (inspect before update,
 * replica reject codes and wording from `replica-errors`), and counts what it executed so tests can prove
 * that a replayed envelope did not run twice.
 */
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { canisterIdFromIndex } from '../src/scheduling/canister-id';
import { canisterNotFound, inspectRejected, methodNotFound, rejected, ReplicaErrorCode } from '../src/execution/replica-errors';
import type { CallOutcome, CallRequest, ExecutionEnvironment } from '../src/execution/types';

/** The test canister's Candid interface (what `Actor.createActor` takes). */
export const testCanisterIdl: IDL.InterfaceFactory = ({ IDL: I }) =>
  I.Service({
    greet: I.Func([I.Text], [I.Text], ['query']),
    whoami: I.Func([], [I.Principal], ['query']),
    count: I.Func([], [I.Nat], ['query']),
    increment: I.Func([], [I.Nat], []),
    set_certified_data: I.Func([I.Vec(I.Nat8)], [], []),
    data_certificate: I.Func([], [I.Opt(I.Vec(I.Nat8))], ['query']),
    refuse: I.Func([], [], []),
    blocked_by_inspect: I.Func([], [], []),
    missing_update: I.Func([], [], []),
    missing_query: I.Func([], [], ['query']),
  });

/** The typed actor of {@link testCanisterIdl}. */
export interface TestCanister {
  greet(name: string): Promise<string>;
  whoami(): Promise<Principal>;
  count(): Promise<bigint>;
  increment(): Promise<bigint>;
  set_certified_data(data: Uint8Array | number[]): Promise<void>;
  data_certificate(): Promise<[] | [Uint8Array | number[]]>;
  refuse(): Promise<void>;
  blocked_by_inspect(): Promise<void>;
  missing_update(): Promise<void>;
  missing_query(): Promise<void>;
}

type Handler = (arg: Uint8Array, caller: Principal) => CallOutcome;

/** The fake engine: one canister, id index 0 (`rwlgt-iiaaa-aaaaa-aaaaa-cai`). */
export class TestExecutionEnvironment implements ExecutionEnvironment {
  readonly canisterId = canisterIdFromIndex(0n);
  /** How many update executions ran (inspect refusals excluded). */
  updatesExecuted = 0;
  /** Where `data_certificate` gets certificates from: the certifier, wired after both exist. */
  dataCertificate: ((canisterId: Principal) => Uint8Array) | undefined;
  #counter = 0n;
  #certifiedData: Uint8Array = new Uint8Array();

  hasCanister(id: Principal): boolean {
    return id.compareTo(this.canisterId) === 'eq';
  }

  canisterIds(): Principal[] {
    return [this.canisterId];
  }

  certifiedData(id: Principal): Uint8Array {
    return this.hasCanister(id) ? this.#certifiedData : new Uint8Array();
  }

  now(): bigint {
    return BigInt(Date.now()) * 1_000_000n;
  }

  async update(request: CallRequest): Promise<CallOutcome> {
    const text = request.canisterId.toText();
    if (!this.hasCanister(request.canisterId)) return canisterNotFound(text);
    if (request.methodName === 'blocked_by_inspect') return inspectRejected(text);
    const handler = this.#updates[request.methodName];
    if (!handler) return methodNotFound(text, 'update', request.methodName);
    this.updatesExecuted++;
    return handler(request.arg, request.caller);
  }

  async query(request: CallRequest): Promise<CallOutcome> {
    const text = request.canisterId.toText();
    if (!this.hasCanister(request.canisterId)) return canisterNotFound(text);
    const handler = this.#queries[request.methodName];
    if (!handler) return methodNotFound(text, 'query', request.methodName);
    return handler(request.arg, request.caller);
  }

  readonly #queries: Record<string, Handler> = {
    greet: (arg) => {
      const [name] = IDL.decode([IDL.Text], arg) as [string];
      return reply([IDL.Text], [`Hello, ${name}!`]);
    },
    whoami: (_arg, caller) => reply([IDL.Principal], [caller]),
    count: () => reply([IDL.Nat], [this.#counter]),
    data_certificate: () => {
      const certificate = this.dataCertificate?.(this.canisterId);
      return reply([IDL.Opt(IDL.Vec(IDL.Nat8))], [certificate ? [certificate] : []]);
    },
  };

  readonly #updates: Record<string, Handler> = {
    increment: () => reply([IDL.Nat], [++this.#counter]),
    set_certified_data: (arg) => {
      const [data] = IDL.decode([IDL.Vec(IDL.Nat8)], arg) as [Uint8Array | number[]];
      this.#certifiedData = Uint8Array.from(data);
      return reply([], []);
    },
    refuse: () => rejected(4, ReplicaErrorCode.CanisterRejectedMessage, 'refused on purpose'),
  };
}

function reply(types: IDL.Type[], values: unknown[]): CallOutcome {
  return { status: 'replied', reply: new Uint8Array(IDL.encode(types, values)) };
}
