import { IDL, PipeArrayBuffer } from '@dfinity/candid';
import { assertNoZeroSizedVectors, candidTypeHeader, hasCandidHeader, ProtocolError } from 'ic-ws-protocol';

/**
 * `IDL.decode([type], bytes)[0]` for one fixed type, made cheap for the bytes a client encodes for that very
 * type: when `bytes` start with exactly the header `IDL.encode` writes for it (magic, type table, argument
 * type), the value is read against wire types built once from `type` itself, instead of parsing the table and
 * building the wire types again on every call, most of what the generic decoder costs in the canister's
 * interpreter (the app message of a `ws_message`: 2.4 M instructions). Other bytes (another table, a type
 * this does not rebuild: func, service) go through `IDL.decode`, which also judges every value the fast path
 * refuses, so both paths accept and refuse the same bytes. Before the generic decoder, bytes whose table
 * declares a vector of a zero-sized type are refused (`assertNoZeroSizedVectors`: @dfinity/candid would loop
 * over a hostile `vec null` of 2^32 elements); the fast path is off for a type that has one.
 */
export class CandidValueDecoder<T> {
  private readonly header: Uint8Array;
  private readonly wire: IDL.Type | undefined;

  constructor(private readonly type: IDL.Type<T>) {
    this.header = candidTypeHeader([type]);
    this.wire = hasZeroSizedVector(this.header) ? undefined : wireTypeOf(type, new Map());
  }

  /**
   * The value; throws `CANDID_DECODE` for a table with a vector of a zero-sized type, else what `IDL.decode`
   * throws for bytes that are not one value of the type.
   */
  decode(bytes: Uint8Array): T {
    if (this.wire !== undefined && hasCandidHeader(bytes, this.header)) {
      const fast = readValue(this.type, this.wire, bytes.slice(this.header.length));
      if (fast !== undefined) return fast.value;
    }
    assertNoZeroSizedVectors(bytes);
    return IDL.decode([this.type], bytes)[0] as T;
  }
}

function hasZeroSizedVector(header: Uint8Array): boolean {
  try {
    assertNoZeroSizedVectors(header);
    return false;
  } catch (error) {
    if (error instanceof ProtocolError) return true;
    throw error;
  }
}

function readValue<T>(type: IDL.Type<T>, wire: IDL.Type, valueBytes: Uint8Array): { value: T } | undefined {
  const pipe = new PipeArrayBuffer(valueBytes);
  try {
    const value = type.decodeValue(pipe, wire);
    return pipe.byteLength === 0 ? { value } : undefined;
  } catch (error) {
    // A value the decoder refuses: the generic decoder refuses it too, and says why in its own words.
    if (error instanceof Error) return undefined;
    throw error;
  }
}

/**
 * The type as the generic decoder builds it from the wire (every constructed type behind a `Rec`, which is
 * what `decodeValue` expects), or undefined for a type not rebuilt here.
 */
function wireTypeOf(type: IDL.Type, seen: Map<IDL.Type, IDL.Type>): IDL.Type | undefined {
  if (type instanceof IDL.PrimitiveType) return type;
  const known = seen.get(type);
  if (known !== undefined) return known;
  if (type instanceof IDL.RecClass) {
    const inner = type.getType();
    return inner === undefined ? undefined : wireTypeOf(inner, seen);
  }
  const rec = IDL.Rec();
  seen.set(type, rec);
  const wireOfAll = (types: IDL.Type[]) => {
    const out = types.map((t) => wireTypeOf(t, seen));
    return out.every((t) => t !== undefined) ? (out as IDL.Type[]) : undefined;
  };
  let built: IDL.Type | undefined;
  if (type instanceof IDL.TupleClass) {
    const components = wireOfAll((type as unknown as { _components: IDL.Type[] })._components);
    built = components && IDL.Tuple(...components);
  } else if (type instanceof IDL.RecordClass || type instanceof IDL.VariantClass) {
    const fields = wireOfAll(type._fields.map(([, field]) => field));
    const named = fields && Object.fromEntries(type._fields.map(([name], i) => [name, fields[i] as IDL.Type]));
    built = named && (type instanceof IDL.RecordClass ? IDL.Record(named) : IDL.Variant(named));
  } else if (type instanceof IDL.VecClass || type instanceof IDL.OptClass) {
    const element = wireTypeOf(type._type, seen);
    built = element && (type instanceof IDL.VecClass ? IDL.Vec(element) : IDL.Opt(element));
  }
  if (built === undefined) return undefined;
  rec.fill(built);
  return rec;
}
