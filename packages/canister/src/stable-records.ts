import type { Principal } from '@dfinity/principal';
import { encodeCanisterOutputMessage } from 'ic-ws-protocol';
import { RecordReader, RecordWriter } from './record-bytes';

/**
 * The records kept in stable storage, with their byte codecs (see record-bytes.ts). Each starts with a
 * format version byte so a later release can read old records and migrate them on load.
 */
const VERSION = 1;
// Gateway records gained `standing` in version 2; version 1 records (written before gateways had to show they
// are real) load as proven, so an upgrade keeps every existing connection.
const GATEWAY_VERSION = 2;

/** One open connection, keyed by `clientId(client key)` in the `clients` map. */
export interface ClientRecord {
  clientPrincipal: Principal;
  clientNonce: bigint;
  gateway: Principal;
  /** Sequence number of the next message the canister queues for this client (the OpenMessage is 1). */
  nextOutgoingSeq: bigint;
  /** Sequence number the next `ws_message` from this client must carry. */
  expectedIncomingSeq: bigint;
  /** When the client was registered or last sent a keep-alive (ns). */
  lastKeepAliveNs: bigint;
  /** Opening order, canister-wide: picks the oldest connection to replace. */
  connectionId: bigint;
}

/** One gateway's outgoing queue bounds, keyed by gateway principal text in the `gateways` map. */
export interface GatewayRecord {
  /** Nonce of the oldest message still queued (equals `nextNonce` when the queue is empty). */
  oldestNonce: bigint;
  /** Nonce the next queued message gets. */
  nextNonce: bigint;
  /** When the gateway's last client left (ns); `null` while it has clients. */
  emptySinceNs: bigint | null;
  /** Whether, and how, the gateway showed it is real (see gateway-admission.ts). */
  standing: GatewayStanding;
}

/**
 * How far a gateway is trusted to be real: `pending` since a `ws_open` first named it; `vouched` since a client
 * of it answered the canister's early ack (proof that something polled for it); `proven` once it signed an
 * update call itself (a presence `ws_close`), or is on the allowlist.
 */
export type GatewayStanding = { kind: 'pending'; sinceNs: bigint } | { kind: 'vouched'; sinceNs: bigint } | { kind: 'proven' };

const STANDING_CODES = { proven: 0, pending: 1, vouched: 2 } as const;

/** One queued outgoing message, keyed by its outgoing key in the `messages` map. */
export interface QueuedMessageRecord {
  queuedAtNs: bigint;
  /** sha256 of the CBOR WebsocketMessage: kept so the certified map is rebuilt after an upgrade without rehashing. */
  hash: Uint8Array;
  /**
   * The message as `ws_get_messages` returns it: the Candid value bytes of its `CanisterOutputMessage` (client
   * key, key, and the CBOR WebsocketMessage exactly as certified), encoded once, when it was queued.
   */
  output: Uint8Array;
}

// Message records of version 1 (before 2) held the client key and the CBOR content instead of `output`.
const MESSAGE_VERSION = 2;

/** Encodes a {@link ClientRecord}. */
export function encodeClientRecord(r: ClientRecord): Uint8Array {
  return new RecordWriter()
    .u8(VERSION)
    .principal(r.clientPrincipal)
    .u64(r.clientNonce)
    .principal(r.gateway)
    .u64(r.nextOutgoingSeq)
    .u64(r.expectedIncomingSeq)
    .u64(r.lastKeepAliveNs)
    .u64(r.connectionId)
    .finish();
}

/** Decodes a {@link ClientRecord}; `STABLE_STATE_CORRUPT` if the bytes are not one. */
export function decodeClientRecord(bytes: Uint8Array): ClientRecord {
  const r = reader(bytes, 'client');
  const record: ClientRecord = {
    clientPrincipal: r.principal(),
    clientNonce: r.u64(),
    gateway: r.principal(),
    nextOutgoingSeq: r.u64(),
    expectedIncomingSeq: r.u64(),
    lastKeepAliveNs: r.u64(),
    connectionId: r.u64(),
  };
  r.end();
  return record;
}

/** Encodes a {@link GatewayRecord}. */
export function encodeGatewayRecord(r: GatewayRecord): Uint8Array {
  const w = new RecordWriter().u8(GATEWAY_VERSION).u64(r.oldestNonce).u64(r.nextNonce);
  optionalU64(w, r.emptySinceNs);
  w.u8(STANDING_CODES[r.standing.kind]);
  return (r.standing.kind === 'proven' ? w : w.u64(r.standing.sinceNs)).finish();
}

function optionalU64(w: RecordWriter, value: bigint | null): RecordWriter {
  return value === null ? w.u8(0) : w.u8(1).u64(value);
}

/** Decodes a {@link GatewayRecord}; `STABLE_STATE_CORRUPT` if the bytes are not one. */
export function decodeGatewayRecord(bytes: Uint8Array): GatewayRecord {
  const r = new RecordReader(bytes, 'gateway');
  const version = r.u8();
  if (version !== 1 && version !== GATEWAY_VERSION) throw r.corrupt(`unknown version ${version}`);
  const oldestNonce = r.u64();
  const nextNonce = r.u64();
  const emptySinceNs = readOptionalU64(r, 'emptySince');
  const standing = version === 1 ? ({ kind: 'proven' } as const) : readStanding(r);
  r.end();
  return { oldestNonce, nextNonce, emptySinceNs, standing };
}

function readStanding(r: RecordReader): GatewayStanding {
  const code = r.u8();
  if (code === STANDING_CODES.proven) return { kind: 'proven' };
  if (code === STANDING_CODES.pending) return { kind: 'pending', sinceNs: r.u64() };
  if (code === STANDING_CODES.vouched) return { kind: 'vouched', sinceNs: r.u64() };
  throw r.corrupt(`bad standing ${code}`);
}

function readOptionalU64(r: RecordReader, name: string): bigint | null {
  const flag = r.u8();
  if (flag > 1) throw r.corrupt(`bad ${name} flag ${flag}`);
  return flag === 1 ? r.u64() : null;
}

/** Encodes a {@link QueuedMessageRecord}. */
export function encodeQueuedMessageRecord(r: QueuedMessageRecord): Uint8Array {
  return new RecordWriter().u8(MESSAGE_VERSION).u64(r.queuedAtNs).bytes(r.hash).bytes(r.output).finish();
}

/**
 * Decodes the {@link QueuedMessageRecord} stored under `key`; `STABLE_STATE_CORRUPT` if the bytes are not one.
 * A version 1 record (written by an older release) is converted.
 */
export function decodeQueuedMessageRecord(bytes: Uint8Array, key: string): QueuedMessageRecord {
  const r = new RecordReader(bytes, 'message');
  const version = r.u8();
  let record: QueuedMessageRecord;
  if (version === 1) {
    const client_key = { client_principal: r.principal(), client_nonce: r.u64() };
    const queuedAtNs = r.u64();
    const hash = r.bytes();
    record = { queuedAtNs, hash, output: encodeCanisterOutputMessage({ client_key, key, content: r.bytes() }) };
  } else if (version === MESSAGE_VERSION) {
    record = { queuedAtNs: r.u64(), hash: r.bytes(), output: r.bytes() };
  } else {
    throw r.corrupt(`unknown version ${version}`);
  }
  if (record.hash.length !== 32) throw r.corrupt('hash is not 32 bytes');
  r.end();
  return record;
}

/** When the message stored as `bytes` was queued: all the pruning needs, read without copying the rest. */
export function queuedAtOfMessageRecord(bytes: Uint8Array): bigint {
  const r = new RecordReader(bytes, 'message');
  const version = r.u8();
  if (version === 1) {
    r.principal();
    r.u64();
  } else if (version !== MESSAGE_VERSION) throw r.corrupt(`unknown version ${version}`);
  return r.u64();
}

/** Encodes a timestamp (ns) kept in the `meta` map. */
export function encodeTimestamp(ns: bigint): Uint8Array {
  return new RecordWriter().u8(VERSION).u64(ns).finish();
}

/** Decodes a timestamp written by {@link encodeTimestamp}. */
export function decodeTimestamp(bytes: Uint8Array): bigint {
  const r = reader(bytes, 'timestamp');
  const ns = r.u64();
  r.end();
  return ns;
}

/** Encodes the ack round's cursor (a client id) kept in the `meta` map. */
export function encodeCursor(clientId: string): Uint8Array {
  return new RecordWriter().u8(VERSION).bytes(utf8Encoder.encode(clientId)).finish();
}

/** Decodes a cursor written by {@link encodeCursor}. */
export function decodeCursor(bytes: Uint8Array): string {
  const r = reader(bytes, 'cursor');
  const text = utf8Decoder.decode(r.bytes());
  r.end();
  return text;
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

function reader(bytes: Uint8Array, kind: string): RecordReader {
  const r = new RecordReader(bytes, kind);
  const version = r.u8();
  if (version !== VERSION) throw r.corrupt(`unknown version ${version}`);
  return r;
}
