import { Principal } from '@dfinity/principal';
import { ErrorCode } from 'ic-ws-protocol';
import { CanisterError } from './canister-error';

/**
 * A minimal fixed-layout byte codec for the records kept in stable storage: u8, u64 (big-endian), and
 * length-prefixed byte strings. These records are private to this library (never on the wire), and they are
 * written on every send, so they use this instead of Candid, whose encoder costs ~100x more per record.
 */
export class RecordWriter {
  private readonly parts: Uint8Array[] = [];
  private length = 0;

  u8(value: number): this {
    return this.push(Uint8Array.of(value));
  }

  u64(value: bigint): this {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setBigUint64(0, value);
    return this.push(bytes);
  }

  /** Bytes with a u32 length prefix. */
  bytes(value: Uint8Array): this {
    const head = new Uint8Array(4);
    new DataView(head.buffer).setUint32(0, value.length);
    this.push(head);
    return this.push(value);
  }

  principal(value: Principal): this {
    return this.bytes(value.toUint8Array());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const part of this.parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }

  private push(part: Uint8Array): this {
    this.parts.push(part);
    this.length += part.length;
    return this;
  }
}

/** Reads what {@link RecordWriter} wrote; any overrun or leftover is `STABLE_STATE_CORRUPT`. */
export class RecordReader {
  private at = 0;
  private readonly view: DataView;

  constructor(
    private readonly input: Uint8Array,
    private readonly kind: string,
  ) {
    this.view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  }

  u8(): number {
    this.need(1);
    return this.view.getUint8(this.at++);
  }

  u64(): bigint {
    this.need(8);
    const value = this.view.getBigUint64(this.at);
    this.at += 8;
    return value;
  }

  bytes(): Uint8Array {
    this.need(4);
    const length = this.view.getUint32(this.at);
    this.at += 4;
    this.need(length);
    const value = this.input.slice(this.at, this.at + length);
    this.at += length;
    return value;
  }

  principal(): Principal {
    const bytes = this.bytes();
    if (bytes.length > 29) throw this.corrupt('principal longer than 29 bytes');
    return Principal.fromUint8Array(bytes);
  }

  /** Throws unless every byte was read. */
  end(): void {
    if (this.at !== this.input.length) throw this.corrupt(`${this.input.length - this.at} trailing bytes`);
  }

  corrupt(why: string): CanisterError {
    return new CanisterError(ErrorCode.StableStateCorrupt, `stable ${this.kind} record: ${why}`);
  }

  private need(n: number): void {
    if (this.at + n > this.input.length) throw this.corrupt('truncated');
  }
}
