import { encodeCanisterOutputMessage } from 'ic-ws-protocol';
import { describe, expect, it } from 'vitest';
import {
  decodeClientRecord,
  decodeGatewayRecord,
  decodeQueuedMessageRecord,
  decodeTimestamp,
  encodeClientRecord,
  encodeGatewayRecord,
  encodeQueuedMessageRecord,
  encodeTimestamp,
  queuedAtOfMessageRecord,
  type ClientRecord,
} from './stable-records';
import { RecordWriter } from './record-bytes';
import { MemoryStableStore } from './stable-store';
import { principal } from './testing/ws-canister-harness';

const MAX = 2n ** 64n - 1n;

describe('stable records', () => {
  it('round-trip a client record, u64 extremes included', () => {
    const record: ClientRecord = {
      clientPrincipal: principal(1),
      clientNonce: MAX,
      gateway: principal(2, 'gateway'),
      nextOutgoingSeq: 0n,
      expectedIncomingSeq: 12n,
      lastKeepAliveNs: 1_700_000_000_000_000_000n,
      connectionId: 3n,
    };
    const back = decodeClientRecord(encodeClientRecord(record));
    expect({ ...back, clientPrincipal: back.clientPrincipal.toText(), gateway: back.gateway.toText() }).toEqual({
      ...record,
      clientPrincipal: record.clientPrincipal.toText(),
      gateway: record.gateway.toText(),
    });
  });

  it('round-trip gateway records with and without emptySince and pendingSince, messages and timestamps', () => {
    for (const record of [
      { oldestNonce: 3n, nextNonce: 9n, emptySinceNs: null, standing: { kind: 'proven' } },
      { oldestNonce: 0n, nextNonce: 0n, emptySinceNs: 5n, standing: { kind: 'vouched', sinceNs: 8n } },
      { oldestNonce: 1n, nextNonce: 2n, emptySinceNs: null, standing: { kind: 'pending', sinceNs: MAX } },
    ] as const) {
      expect(decodeGatewayRecord(encodeGatewayRecord(record))).toEqual(record);
    }
    const message = { queuedAtNs: 2n, hash: new Uint8Array(32).fill(7), output: Uint8Array.of(1, 2, 3) };
    expect(decodeQueuedMessageRecord(encodeQueuedMessageRecord(message), 'k')).toEqual(message);
    expect(queuedAtOfMessageRecord(encodeQueuedMessageRecord(message))).toBe(2n);
    expect(decodeTimestamp(encodeTimestamp(MAX))).toBe(MAX);
  });

  it('read a version 1 message record (client key and CBOR content) as the reply bytes it stands for', () => {
    const client_key = { client_principal: principal(4), client_nonce: MAX };
    const content = Uint8Array.of(1, 2, 3);
    const hash = new Uint8Array(32).fill(7);
    const v1 = new RecordWriter().u8(1).principal(client_key.client_principal).u64(client_key.client_nonce).u64(5n).bytes(hash).bytes(content).finish();
    const key = 'gateway_00000000000000000003';
    expect(decodeQueuedMessageRecord(v1, key)).toEqual({ queuedAtNs: 5n, hash, output: encodeCanisterOutputMessage({ client_key, key, content }) });
    expect(queuedAtOfMessageRecord(v1)).toBe(5n);
  });

  it.each([
    ['truncated', (b: Uint8Array) => b.slice(0, b.length - 1)],
    ['with trailing bytes', (b: Uint8Array) => Uint8Array.of(...b, 0)],
    ['of an unknown version', (b: Uint8Array) => Uint8Array.of(9, ...b.slice(1))],
    ['empty', () => new Uint8Array()],
  ])('reject a record %s with STABLE_STATE_CORRUPT', (_, mangle) => {
    const good = encodeGatewayRecord({ oldestNonce: 1n, nextNonce: 2n, emptySinceNs: null, standing: { kind: 'pending', sinceNs: 3n } });
    expect(() => decodeGatewayRecord(mangle(good))).toThrow(expect.objectContaining({ name: 'CanisterError', code: 'STABLE_STATE_CORRUPT' }));
  });

  it('read a version 1 gateway record (before gateways had to show they are real) as proven', () => {
    const v1 = Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 6, 1, 0, 0, 0, 0, 0, 0, 0, 9);
    expect(decodeGatewayRecord(v1)).toEqual({ oldestNonce: 4n, nextNonce: 6n, emptySinceNs: 9n, standing: { kind: 'proven' } });
  });

  it('reject a message record whose hash is not 32 bytes', () => {
    const bytes = encodeQueuedMessageRecord({ queuedAtNs: 1n, hash: new Uint8Array(31), output: new Uint8Array() });
    expect(() => decodeQueuedMessageRecord(bytes, 'k')).toThrow(expect.objectContaining({ code: 'STABLE_STATE_CORRUPT' }));
    expect(() => queuedAtOfMessageRecord(Uint8Array.of(9, ...bytes.slice(1)))).toThrow(expect.objectContaining({ code: 'STABLE_STATE_CORRUPT' }));
  });
});

describe('MemoryStableStore', () => {
  it('copies values in and out, so only what is written back is stored', () => {
    const store = new MemoryStableStore();
    const map = store.map('clients');
    const value = Uint8Array.of(1, 2);
    map.set('k', value);
    value[0] = 9;
    const read = map.get('k') as Uint8Array;
    read[1] = 9;
    expect(map.get('k')).toEqual(Uint8Array.of(1, 2));
    expect(store.map('clients')).toBe(map);
    expect(store.size('clients')).toBe(1);
    expect(store.size('messages')).toBe(0);
    map.delete('k');
    expect([...map.entries()]).toEqual([]);
  });
});
