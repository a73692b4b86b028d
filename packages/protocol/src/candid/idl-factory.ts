import { IDL } from '@dfinity/candid';

/** The `IDL` namespace an interface factory is handed (`Actor.createActor` passes its own). */
export type CandidIdl = Parameters<IDL.InterfaceFactory>[0]['IDL'];

type Fields = Array<[string, IDL.Type]>;

// Rebuilds a type with another `IDL` namespace. `Rec` types are rebuilt once each, so recursive types stay
// recursive (and finite).
class IdlTranslator extends IDL.Visitor<CandidIdl, IDL.Type> {
  private readonly recs = new Map<IDL.Type, IDL.RecClass>();

  override visitEmpty(_t: IDL.EmptyClass, idl: CandidIdl): IDL.Type {
    return idl.Empty;
  }
  override visitBool(_t: IDL.BoolClass, idl: CandidIdl): IDL.Type {
    return idl.Bool;
  }
  override visitNull(_t: IDL.NullClass, idl: CandidIdl): IDL.Type {
    return idl.Null;
  }
  override visitReserved(_t: IDL.ReservedClass, idl: CandidIdl): IDL.Type {
    return idl.Reserved;
  }
  override visitText(_t: IDL.TextClass, idl: CandidIdl): IDL.Type {
    return idl.Text;
  }
  override visitInt(_t: IDL.IntClass, idl: CandidIdl): IDL.Type {
    return idl.Int;
  }
  override visitNat(_t: IDL.NatClass, idl: CandidIdl): IDL.Type {
    return idl.Nat;
  }
  override visitFloat(t: IDL.FloatClass, idl: CandidIdl): IDL.Type {
    return t._bits === 32 ? idl.Float32 : idl.Float64;
  }
  override visitFixedInt(t: IDL.FixedIntClass, idl: CandidIdl): IDL.Type {
    return idl[`Int${t._bits}` as 'Int8' | 'Int16' | 'Int32' | 'Int64'];
  }
  override visitFixedNat(t: IDL.FixedNatClass, idl: CandidIdl): IDL.Type {
    return idl[`Nat${t._bits}` as 'Nat8' | 'Nat16' | 'Nat32' | 'Nat64'];
  }
  override visitPrincipal(_t: IDL.PrincipalClass, idl: CandidIdl): IDL.Type {
    return idl.Principal;
  }
  override visitVec<T>(_t: IDL.VecClass<T>, ty: IDL.Type<T>, idl: CandidIdl): IDL.Type {
    return idl.Vec(ty.accept(this, idl));
  }
  override visitOpt<T>(_t: IDL.OptClass<T>, ty: IDL.Type<T>, idl: CandidIdl): IDL.Type {
    return idl.Opt(ty.accept(this, idl));
  }
  override visitTuple<T extends any[]>(_t: IDL.TupleClass<T>, components: IDL.Type[], idl: CandidIdl): IDL.Type {
    return idl.Tuple(...components.map((component) => component.accept(this, idl)));
  }
  override visitRecord(_t: IDL.RecordClass, fields: Fields, idl: CandidIdl): IDL.Type {
    return idl.Record(this.fields(fields, idl));
  }
  override visitVariant(_t: IDL.VariantClass, fields: Fields, idl: CandidIdl): IDL.Type {
    return idl.Variant(this.fields(fields, idl));
  }
  override visitRec<T>(t: IDL.RecClass<T>, ty: IDL.ConstructType<T>, idl: CandidIdl): IDL.Type {
    let rec = this.recs.get(t);
    if (rec === undefined) {
      rec = idl.Rec();
      this.recs.set(t, rec);
      rec.fill(ty.accept(this, idl) as IDL.ConstructType);
    }
    return rec;
  }
  override visitFunc(t: IDL.FuncClass, idl: CandidIdl): IDL.Type {
    // Func wants tuple types ([] or non-empty); arrays of the same length are exactly those.
    const args = this.list(t.argTypes, idl) as [] | [IDL.Type, ...IDL.Type[]];
    const rets = this.list(t.retTypes, idl) as [] | [IDL.Type, ...IDL.Type[]];
    return idl.Func(args, rets, [...t.annotations]);
  }
  override visitService(t: IDL.ServiceClass, idl: CandidIdl): IDL.Type {
    return idl.Service(Object.fromEntries(t._fields.map(([name, func]) => [name, func.accept(this, idl) as IDL.FuncClass])));
  }

  private fields(fields: Fields, idl: CandidIdl): Record<string, IDL.Type> {
    return Object.fromEntries(fields.map(([name, type]) => [name, type.accept(this, idl)]));
  }

  private list(types: IDL.Type[], idl: CandidIdl): IDL.Type[] {
    return types.map((type) => type.accept(this, idl));
  }
}

/**
 * The same Candid type built with another `IDL` namespace: what an interface factory must do with the `IDL`
 * it is handed, so that an agent on another `@dfinity/candid` version (ic-websocket-js 0.5 runs 2.x) encodes
 * and decodes with its own classes.
 */
export function translateIdl<T extends IDL.Type>(type: T, idl: CandidIdl): T {
  return type.accept(new IdlTranslator(), idl) as T;
}

/**
 * The interface factory of a service, as `dfx generate` writes one: it builds every type of `service` with
 * the `IDL` it is handed.
 *
 * @example
 * ```ts
 * const ChatService = IDL.Service({ ...wsServiceFields(ChatMessageIdl), history: IDL.Func([], [IDL.Vec(EntryIdl)], ['query']) });
 * const actor = Actor.createActor(idlFactoryOf(ChatService), { agent, canisterId });
 * ```
 */
export function idlFactoryOf(service: IDL.ServiceClass): IDL.InterfaceFactory {
  return ({ IDL: idl }) => translateIdl(service, idl);
}
