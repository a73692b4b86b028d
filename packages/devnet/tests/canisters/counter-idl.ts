/** Candid interface of the counter test canister (tests/canisters/counter), for `Actor.createActor`. */
import type { IDL } from '@dfinity/candid';
import type { Principal } from '@dfinity/principal';

export const counterIdlFactory: IDL.InterfaceFactory = ({ IDL }) =>
  IDL.Service({
    increment: IDL.Func([], [IDL.Nat64], []),
    get: IDL.Func([], [IDL.Nat64], ['query']),
    getCertified: IDL.Func([], [IDL.Record({ value: IDL.Nat64, certificate: IDL.Opt(IDL.Vec(IDL.Nat8)) })], ['query']),
    getTimerFired: IDL.Func([], [IDL.Nat64], ['query']),
    getLabel: IDL.Func([], [IDL.Text], ['query']),
    armTimerIn: IDL.Func([IDL.Nat32], [], []),
    put: IDL.Func([IDL.Text, IDL.Text], [], []),
    lookup: IDL.Func([IDL.Text], [IDL.Opt(IDL.Text)], ['query']),
    incrementThenTrap: IDL.Func([], [IDL.Nat64], []),
    randomBytes: IDL.Func([], [IDL.Vec(IDL.Nat8)], []),
    whoami: IDL.Func([], [IDL.Text], []),
    forbidden: IDL.Func([], [], []),
    growHeap: IDL.Func([IDL.Nat32], [IDL.Nat32], []),
    createChild: IDL.Func([IDL.Principal], [IDL.Text], []),
  });

/** The counter's interface plus methods it does not have, to provoke "no such method" rejects. */
export const counterWithMissingIdlFactory: IDL.InterfaceFactory = (idl) =>
  idl.IDL.Service({
    ...(counterIdlFactory(idl) as IDL.ServiceClass)._fields.reduce<Record<string, IDL.FuncClass>>((all, [name, func]) => ({ ...all, [name]: func }), {}),
    doesNotExist: idl.IDL.Func([], [], []),
    queryDoesNotExist: idl.IDL.Func([], [], ['query']),
  });

export interface CounterActor {
  increment(): Promise<bigint>;
  get(): Promise<bigint>;
  getCertified(): Promise<{ value: bigint; certificate: [] | [Uint8Array] }>;
  getTimerFired(): Promise<bigint>;
  getLabel(): Promise<string>;
  armTimerIn(seconds: number): Promise<void>;
  put(key: string, value: string): Promise<void>;
  lookup(key: string): Promise<[] | [string]>;
  incrementThenTrap(): Promise<bigint>;
  randomBytes(): Promise<Uint8Array>;
  whoami(): Promise<string>;
  forbidden(): Promise<void>;
  growHeap(bytes: number): Promise<number>;
  createChild(extra: Principal): Promise<string>;
}
