import { IDL } from '@dfinity/candid';

/**
 * `IDL.encode([type], [value])` for one fixed type, with the header (magic, type table, argument types)
 * computed once: the header does not depend on the value, and building the type table is most of what encoding
 * a small message costs in the canister's interpreter. The value is checked against the type as `IDL.encode`
 * checks it.
 */
export class CandidValueEncoder<T> {
  private header: Uint8Array | undefined;

  constructor(private readonly type: IDL.Type<T>) {}

  /** The Candid bytes of `value`; throws what `IDL.encode` throws for a value of another type. */
  encode(value: T): Uint8Array {
    if (this.header === undefined) {
      const whole = new Uint8Array(IDL.encode([this.type], [value]));
      this.header = whole.slice(0, whole.length - this.type.encodeValue(value).length);
      return whole;
    }
    // Throws for a value of another type, as IDL.encode does.
    this.type.covariant(value);
    const body = this.type.encodeValue(value);
    const out = new Uint8Array(this.header.length + body.length);
    out.set(this.header, 0);
    out.set(body, this.header.length);
    return out;
  }
}
