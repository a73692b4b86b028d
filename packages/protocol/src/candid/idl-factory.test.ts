import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { describe, expect, it } from 'vitest';
import { idlFactoryOf, translateIdl, type CandidIdl } from './idl-factory';
import { wsServiceFields, wsServiceIdlFactory } from './ws-service';

/**
 * Another `IDL` namespace, as an agent on another @dfinity/candid version hands over: fresh instances of
 * every primitive, and every constructed type marked, so a test can tell its types from this package's.
 */
function otherIdl(): { idl: CandidIdl; made: WeakSet<object> } {
  const made = new WeakSet<object>();
  const mark = <T extends object>(type: T): T => {
    made.add(type);
    return type;
  };
  const wrap =
    <A extends unknown[], R extends object>(fn: (...args: A) => R) =>
    (...args: A): R =>
      mark(fn(...args));
  const idl = {
    Empty: mark(new IDL.EmptyClass()),
    Reserved: mark(new IDL.ReservedClass()),
    Unknown: IDL.Unknown,
    Bool: mark(new IDL.BoolClass()),
    Null: mark(new IDL.NullClass()),
    Text: mark(new IDL.TextClass()),
    Int: mark(new IDL.IntClass()),
    Nat: mark(new IDL.NatClass()),
    Float32: mark(new IDL.FloatClass(32)),
    Float64: mark(new IDL.FloatClass(64)),
    Int8: mark(new IDL.FixedIntClass(8)),
    Int16: mark(new IDL.FixedIntClass(16)),
    Int32: mark(new IDL.FixedIntClass(32)),
    Int64: mark(new IDL.FixedIntClass(64)),
    Nat8: mark(new IDL.FixedNatClass(8)),
    Nat16: mark(new IDL.FixedNatClass(16)),
    Nat32: mark(new IDL.FixedNatClass(32)),
    Nat64: mark(new IDL.FixedNatClass(64)),
    Principal: mark(new IDL.PrincipalClass()),
    Tuple: wrap(IDL.Tuple),
    Vec: wrap(IDL.Vec),
    Opt: wrap(IDL.Opt),
    Record: wrap(IDL.Record),
    Variant: wrap(IDL.Variant),
    Rec: wrap(IDL.Rec),
    Func: wrap(IDL.Func),
    Service: wrap(IDL.Service),
  } as unknown as CandidIdl;
  return { idl, made };
}

/** Every type object reachable from `type` (components, fields, rec bodies, func arguments). */
function reachable(type: IDL.Type, seen = new Set<IDL.Type>()): Set<IDL.Type> {
  if (seen.has(type)) return seen;
  seen.add(type);
  const t = type as unknown as Record<string, unknown>;
  const children: IDL.Type[] = [];
  if (type instanceof IDL.VecClass || type instanceof IDL.OptClass) children.push(t._type as IDL.Type);
  if (type instanceof IDL.RecordClass || type instanceof IDL.VariantClass) children.push(...(t._fields as [string, IDL.Type][]).map(([, f]) => f));
  if (type instanceof IDL.RecClass) children.push(type.getType() as IDL.Type);
  if (type instanceof IDL.FuncClass) children.push(...type.argTypes, ...type.retTypes);
  if (type instanceof IDL.ServiceClass) children.push(...type._fields.map(([, f]) => f));
  for (const child of children) reachable(child, seen);
  return seen;
}

const List = IDL.Rec();
List.fill(IDL.Opt(IDL.Record({ head: IDL.Int16, tail: List })));
const KitchenSink = IDL.Record({
  empty: IDL.Opt(IDL.Empty),
  reserved: IDL.Reserved,
  flags: IDL.Tuple(IDL.Bool, IDL.Null, IDL.Text),
  numbers: IDL.Tuple(IDL.Int, IDL.Nat, IDL.Float32, IDL.Float64, IDL.Int8, IDL.Int32, IDL.Int64, IDL.Nat8, IDL.Nat16, IDL.Nat32, IDL.Nat64),
  who: IDL.Vec(IDL.Principal),
  choice: IDL.Variant({ A: IDL.Null, B: IDL.Record({ x: IDL.Nat64 }) }),
  list: List,
  callback: IDL.Func([IDL.Text], [IDL.Nat], ['query']),
});
const value = {
  empty: [],
  reserved: null,
  flags: [true, null, 'hi'],
  numbers: [-5n, 7n, 1.5, 2.25, -8, -32, -64n, 8, 16, 32, 64n],
  who: [Principal.fromText('aaaaa-aa')],
  choice: { B: { x: 9n } },
  list: [{ head: 1, tail: [{ head: 2, tail: [] }] }],
  callback: [Principal.fromText('aaaaa-aa'), 'm'],
};

describe('translateIdl', () => {
  it('builds every kind of type with the IDL it is given, none with its own', () => {
    const { idl, made } = otherIdl();
    const translated = translateIdl(KitchenSink, idl);
    const types = [...reachable(translated)];
    expect(types.length).toBeGreaterThan(20);
    expect(types.filter((type) => !made.has(type)).map((type) => type.display())).toEqual([]);
  });

  it('gives the same type: same display, same bytes, recursive types stay recursive', () => {
    const translated = translateIdl(KitchenSink, otherIdl().idl);
    // Rec types are numbered as they are made.
    const shown = (type: IDL.Type) => type.display().replace(/rec_\d+/g, 'rec_N');
    expect(shown(translated)).toBe(shown(KitchenSink));
    expect(shown(translated)).toContain('μrec_N.opt record {head:int16; tail:rec_N}');
    const bytes = IDL.encode([KitchenSink], [value]);
    expect(IDL.encode([translated], [value])).toEqual(bytes);
    expect(IDL.decode([translated], bytes)).toEqual(IDL.decode([KitchenSink], bytes));
  });
});

describe('idlFactoryOf and wsServiceIdlFactory', () => {
  it('build the service, app message type included, from the IDL they are handed', () => {
    const App = IDL.Record({ text: IDL.Text });
    const { idl, made } = otherIdl();
    const service = wsServiceIdlFactory(App)({ IDL: idl });
    expect([...reachable(service)].filter((type) => !made.has(type))).toEqual([]);
    expect(service.display()).toBe(IDL.Service(wsServiceFields(App)).display());

    const own = IDL.Service({ ...wsServiceFields(App), count: IDL.Func([], [IDL.Nat32], ['query']) });
    const other = otherIdl();
    const built = idlFactoryOf(own)({ IDL: other.idl });
    expect(built._fields.map(([name]) => name)).toEqual(own._fields.map(([name]) => name));
    expect([...reachable(built)].filter((type) => !other.made.has(type))).toEqual([]);
  });
});
