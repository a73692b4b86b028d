import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { ProtocolError } from '../errors';
import { CandidReader } from './candid-reader';
import { candidTypeHeader, hasCandidHeader } from './candid-type-header';
import { candidFieldId } from './candid-type-table';
import type { CanisterWsMessageArguments, ClientKey, ClientMessageId, WebsocketMessage } from './types';
import { wsServiceMethods } from './ws-service';

// A principal is at most 29 bytes (the IC's limit); longer ones go to the generic decoder, which judges them.
const MAX_PRINCIPAL_BYTES = 29;

/** The decoded arguments of `ws_message`: the protocol's record and the (never read) `opt AppMessage`. */
export type WsMessageArgs = [CanisterWsMessageArguments, [] | [unknown]];

/** Reads the fields of one record value, in the wire order of their field ids. */
type FieldReaders<T> = { [K in keyof T]-?: (reader: CandidReader) => T[K] | undefined };

/**
 * Decodes the Candid arguments of `ws_message` (`(CanisterWsMessageArguments, opt AppMessage)`) for a canister,
 * equal to `IDL.decode(wsServiceMethods(appMessageIdl).ws_message.argTypes, bytes)`, at a fraction of its cost
 * in a canister's interpreter: the generic decoder parses the type table and builds the wire types on every
 * call (with azle's dispatch, ~7 M instructions of a `ws_message`).
 *
 * The fast path takes the bytes ic-ws-client and ic-websocket-js send for this app: the exact type table
 * `IDL.encode` writes for these argument types (compared byte for byte), then the values, read directly.
 * Anything else (another table, a present `opt AppMessage`, a value this reader is unsure of: a boolean or
 * `opt` tag other than 0/1, a principal longer than 29 bytes, bytes left over) goes through `IDL.decode`, so
 * both paths accept and refuse the same bytes; its errors are thrown as they are.
 */
export class WsMessageArgsDecoder {
  private readonly argTypes: IDL.Type[];
  // Magic, type table and argument types, as `IDL.encode` writes them for these types.
  private readonly header: Uint8Array;

  constructor(appMessageIdl?: IDL.Type) {
    this.argTypes = wsServiceMethods(appMessageIdl).ws_message.argTypes;
    this.header = candidTypeHeader(this.argTypes);
  }

  /** The decoded arguments; throws what `IDL.decode` throws for bytes that are not arguments of `ws_message`. */
  decode(bytes: Uint8Array): WsMessageArgs {
    if (hasCandidHeader(bytes, this.header)) {
      const fast = readFast(bytes, this.header.length);
      if (fast !== undefined) return fast;
    }
    return IDL.decode(this.argTypes, bytes) as unknown as WsMessageArgs;
  }
}

/** A record's fields in wire order (ascending field id), each read by its reader; undefined when one can't be. */
function recordReader<T>(readers: FieldReaders<T>): (reader: CandidReader) => T | undefined {
  const order = (Object.keys(readers) as (keyof T & string)[]).sort((a, b) => candidFieldId(a) - candidFieldId(b));
  return (reader) => {
    const out = {} as T;
    for (const name of order) {
      const value = readers[name](reader);
      if (value === undefined) return undefined;
      out[name] = value as T[typeof name];
    }
    return out;
  };
}

const readNat64 = (reader: CandidReader): bigint => reader.u64();

function readBlob(reader: CandidReader): Uint8Array {
  return reader.view(reader.bounded(reader.leb())).slice();
}

function readBool(reader: CandidReader): boolean | undefined {
  const byte = reader.byte();
  return byte === 0 ? false : byte === 1 ? true : undefined;
}

function readPrincipal(reader: CandidReader): Principal | undefined {
  if (reader.byte() !== 1) return undefined;
  const length = reader.leb();
  if (length > MAX_PRINCIPAL_BYTES) return undefined;
  return Principal.fromUint8Array(reader.view(length).slice());
}

function optReader<T>(read: (reader: CandidReader) => T | undefined): (reader: CandidReader) => [] | [T] | undefined {
  return (reader) => {
    const tag = reader.byte();
    if (tag === 0) return [];
    if (tag !== 1) return undefined;
    const value = read(reader);
    return value === undefined ? undefined : [value];
  };
}

const readClientKey = recordReader<ClientKey>({ client_principal: readPrincipal, client_nonce: readNat64 });
const readMessage = recordReader<WebsocketMessage>({
  client_key: readClientKey,
  sequence_num: readNat64,
  timestamp: readNat64,
  is_service_message: readBool,
  content: readBlob,
});
const readMessageId = recordReader<ClientMessageId>({ outbox: readBlob, index: readNat64 });
const readArguments = recordReader<CanisterWsMessageArguments>({ msg: readMessage, message_id: optReader(readMessageId) });

/**
 * Both arguments' values from `start` on, or undefined for anything the generic decoder must judge (a present
 * app message, trailing or missing bytes too).
 */
function readFast(bytes: Uint8Array, start: number): WsMessageArgs | undefined {
  const reader = new CandidReader(bytes);
  reader.pos = start;
  try {
    const args = readArguments(reader);
    if (args === undefined || reader.byte() !== 0 || reader.remaining !== 0) return undefined;
    return [args, []];
  } catch (error) {
    // Truncated input or an oversized number: the generic decoder reports it in its own words.
    if (error instanceof ProtocolError) return undefined;
    throw error;
  }
}
