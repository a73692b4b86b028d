import { Principal } from '@dfinity/principal';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertOnlyProtocolErrors, cborByteString, deepCborArray, protocolErrorOf } from '../../tests/support/hostile-bytes';
import type { WebsocketMessage } from '../candid/types';
import { ErrorCode } from '../errors';
import { cborEncode, type CborEncodable } from './cbor';
import { decodeWebsocketMessage, encodeWebsocketMessage, MAX_WEBSOCKET_MESSAGE_BYTES, websocketMessageEncodedLength } from './websocket-message';

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const fromHex = (text: string) => Uint8Array.from(text.replace(/\s+/g, '').match(/../g) ?? [], (h) => parseInt(h, 16));

// Written by hand from docs/protocol.md section 3; one line per data item.
const VECTOR_1 = `
  d9 d9 f7                                              # tag 55799 (self-describe)
  a5                                                    # map, 5 entries
  6a 63 6c 69 65 6e 74 5f 6b 65 79                      # text(10) "client_key"
  a2                                                    #   map, 2 entries
  70 63 6c 69 65 6e 74 5f 70 72 69 6e 63 69 70 61 6c    #   text(16) "client_principal"
  4a 00 00 00 00 00 00 00 01 01 01                      #   bytes(10): rrkah-fqaaa-aaaaa-aaaaq-cai
  6c 63 6c 69 65 6e 74 5f 6e 6f 6e 63 65                #   text(12) "client_nonce"
  05                                                    #   uint 5
  6c 73 65 71 75 65 6e 63 65 5f 6e 75 6d                # text(12) "sequence_num"
  01                                                    # uint 1
  69 74 69 6d 65 73 74 61 6d 70                         # text(9) "timestamp"
  1b 17 97 9c fe 36 2a 00 00                            # uint64 0x17979cfe362a0000
  72 69 73 5f 73 65 72 76 69 63 65 5f 6d 65 73 73 61 67 65  # text(18) "is_service_message"
  f4                                                    # false
  67 63 6f 6e 74 65 6e 74                               # text(7) "content"
  43 01 02 03                                           # bytes(3)
`.replace(/#.*$/gm, '');

const MESSAGE_1: WebsocketMessage = {
  client_key: { client_principal: Principal.fromUint8Array(Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 1, 1, 1)), client_nonce: 5n },
  sequence_num: 1n,
  timestamp: 1_700_000_000_000_000_000n,
  is_service_message: false,
  content: Uint8Array.of(1, 2, 3),
};

// Every other head width: a 1-byte principal, a u64::MAX nonce, a 1-byte-argument uint and byte string.
const VECTOR_2 = `
  d9 d9 f7 a5
  6a 63 6c 69 65 6e 74 5f 6b 65 79 a2
  70 63 6c 69 65 6e 74 5f 70 72 69 6e 63 69 70 61 6c 41 04   # bytes(1): the anonymous principal
  6c 63 6c 69 65 6e 74 5f 6e 6f 6e 63 65 1b ff ff ff ff ff ff ff ff   # uint64 2^64-1
  6c 73 65 71 75 65 6e 63 65 5f 6e 75 6d 18 18               # uint8 24
  69 74 69 6d 65 73 74 61 6d 70 00                           # uint 0
  72 69 73 5f 73 65 72 76 69 63 65 5f 6d 65 73 73 61 67 65 f5   # true
  67 63 6f 6e 74 65 6e 74 58 18 ${'ab '.repeat(24)}          # bytes(24) with a 1-byte length
`.replace(/#.*$/gm, '');

const MESSAGE_2: WebsocketMessage = {
  client_key: { client_principal: Principal.anonymous(), client_nonce: (1n << 64n) - 1n },
  sequence_num: 24n,
  timestamp: 0n,
  is_service_message: true,
  content: new Uint8Array(24).fill(0xab),
};

/** The wire map of MESSAGE_1 with `patch` applied, for malformed-shape tests. */
function wire(patch: Record<string, CborEncodable | undefined> = {}, keyPatch: Record<string, CborEncodable | undefined> = {}) {
  const key: Record<string, CborEncodable | undefined> = {
    client_principal: MESSAGE_1.client_key.client_principal.toUint8Array(),
    client_nonce: 5,
    ...keyPatch,
  };
  const map: Record<string, CborEncodable | undefined> = {
    client_key: strip(key),
    sequence_num: 1,
    timestamp: MESSAGE_1.timestamp,
    is_service_message: false,
    content: MESSAGE_1.content,
    ...patch,
  };
  return cborEncode(strip(map), { selfDescribe: true });
}

function strip(record: Record<string, CborEncodable | undefined>): Record<string, CborEncodable> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as Record<string, CborEncodable>;
}

const arbMessage: fc.Arbitrary<WebsocketMessage> = fc.record({
  client_key: fc.record({
    client_principal: fc.uint8Array({ maxLength: 29 }).map((b) => Principal.fromUint8Array(b)),
    client_nonce: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  }),
  sequence_num: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  timestamp: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  is_service_message: fc.boolean(),
  content: fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 0, max: 70_000 }).map((n) => new Uint8Array(n))),
});

describe('encodeWebsocketMessage', () => {
  it('matches the hand-written vectors byte for byte', () => {
    expect(0x17979cfe362a0000n).toBe(1_700_000_000_000_000_000n);
    expect(MESSAGE_1.client_key.client_principal.toText()).toBe('rrkah-fqaaa-aaaaa-aaaaq-cai');
    expect(hex(encodeWebsocketMessage(MESSAGE_1))).toBe(hex(fromHex(VECTOR_1)));
    expect(hex(encodeWebsocketMessage(MESSAGE_2))).toBe(hex(fromHex(VECTOR_2)));
  });

  it('writes the same bytes as the generic CBOR encoder, for random messages', () => {
    fc.assert(
      fc.property(arbMessage, (msg) => {
        const generic = cborEncode(
          {
            client_key: { client_principal: msg.client_key.client_principal.toUint8Array(), client_nonce: msg.client_key.client_nonce },
            sequence_num: msg.sequence_num,
            timestamp: msg.timestamp,
            is_service_message: msg.is_service_message,
            content: msg.content,
          },
          { selfDescribe: true },
        );
        expect(hex(encodeWebsocketMessage(msg))).toBe(hex(generic));
      }),
      { numRuns: 500 },
    );
  });

  it('refuses integers outside u64 and an oversized principal', () => {
    const tooBig = { ...MESSAGE_1, sequence_num: 1n << 64n };
    expect(protocolErrorOf(() => encodeWebsocketMessage(tooBig)).code).toBe(ErrorCode.OutOfRange);
    const negative = { ...MESSAGE_1, timestamp: -1n };
    expect(protocolErrorOf(() => encodeWebsocketMessage(negative)).code).toBe(ErrorCode.OutOfRange);
    const nonce = { ...MESSAGE_1, client_key: { ...MESSAGE_1.client_key, client_nonce: -5n } };
    expect(protocolErrorOf(() => encodeWebsocketMessage(nonce)).code).toBe(ErrorCode.OutOfRange);
    const principal = { ...MESSAGE_1, client_key: { ...MESSAGE_1.client_key, client_principal: Principal.fromUint8Array(new Uint8Array(30)) } };
    expect(protocolErrorOf(() => encodeWebsocketMessage(principal)).code).toBe(ErrorCode.FieldTooLarge);
  });

  it('websocketMessageEncodedLength equals the encoded length', () => {
    expect(websocketMessageEncodedLength(MESSAGE_1)).toBe(fromHex(VECTOR_1).length);
    expect(websocketMessageEncodedLength(MESSAGE_2)).toBe(fromHex(VECTOR_2).length);
    const big = { ...MESSAGE_1, content: new Uint8Array(70_000) };
    expect(websocketMessageEncodedLength(big)).toBe(encodeWebsocketMessage(big).length);
    fc.assert(fc.property(arbMessage, (msg) => websocketMessageEncodedLength(msg) === encodeWebsocketMessage(msg).length));
  });
});

describe('decodeWebsocketMessage', () => {
  it('decodes the vectors with and without the tag', () => {
    for (const [vector, message] of [[VECTOR_1, MESSAGE_1], [VECTOR_2, MESSAGE_2]] as const) {
      const bytes = fromHex(vector);
      expect(decodeWebsocketMessage(bytes)).toEqual(message);
      expect(decodeWebsocketMessage(bytes.subarray(3))).toEqual(message);
    }
  });

  it('round-trips random messages', () => {
    fc.assert(
      fc.property(arbMessage, (msg) => {
        expect(decodeWebsocketMessage(encodeWebsocketMessage(msg))).toEqual(msg);
      }),
    );
  });

  it('accepts the fields in another order (the hash is over the received bytes, not a re-encoding)', () => {
    const reordered = cborEncode({
      content: MESSAGE_1.content,
      is_service_message: false,
      timestamp: MESSAGE_1.timestamp,
      sequence_num: 1,
      client_key: { client_nonce: 5, client_principal: MESSAGE_1.client_key.client_principal.toUint8Array() },
    });
    expect(decodeWebsocketMessage(reordered)).toEqual(MESSAGE_1);
  });

  it.each([
    ['a missing field', wire({ content: undefined }), ErrorCode.CborInvalidShape],
    ['an extra field', wire({ extra: 1 }), ErrorCode.CborInvalidShape],
    ['a missing client_key field', wire({}, { client_nonce: undefined }), ErrorCode.CborInvalidShape],
    ['an extra client_key field', wire({}, { other: 1 }), ErrorCode.CborInvalidShape],
    ['sequence_num as text', wire({ sequence_num: '1' }), ErrorCode.CborInvalidShape],
    ['a float timestamp', wire({ timestamp: 1.5 }), ErrorCode.CborInvalidShape],
    ['a negative sequence_num', wire({ sequence_num: -1 }), ErrorCode.OutOfRange],
    ['is_service_message as 0', wire({ is_service_message: 0 }), ErrorCode.CborInvalidShape],
    ['content as text', wire({ content: 'hi' }), ErrorCode.CborInvalidShape],
    ['client_key as bytes', wire({ client_key: Uint8Array.of(1) }), ErrorCode.CborInvalidShape],
    ['a 30-byte principal', wire({}, { client_principal: new Uint8Array(30) }), ErrorCode.FieldTooLarge],
    ['a principal as text', wire({}, { client_principal: 'aaaaa-aa' }), ErrorCode.CborInvalidShape],
    ['an array at the top', cborEncode([1, 2, 3]), ErrorCode.CborInvalidShape],
    ['a bare integer', Uint8Array.of(0x01), ErrorCode.CborInvalidShape],
    ['a non-text map key', Uint8Array.of(0xa1, 0x01, 0x02), ErrorCode.CborInvalidShape],
    ['a 1000-deep array as content', Uint8Array.from([...wire({ content: 0 }).subarray(0, -1), ...deepCborArray(1000)]), ErrorCode.CborInvalidShape],
  ])('rejects %s', (_name, bytes, code) => {
    expect(protocolErrorOf(() => decodeWebsocketMessage(bytes)).code).toBe(code);
  });

  it('rejects every truncation of a valid message as malformed CBOR', () => {
    const bytes = fromHex(VECTOR_1);
    for (let n = 0; n < bytes.length; n++) {
      expect(protocolErrorOf(() => decodeWebsocketMessage(bytes.subarray(0, n))).code).toBe(ErrorCode.CborMalformed);
    }
  });

  it('rejects trailing bytes, duplicate keys, undefined and unknown tags as malformed CBOR', () => {
    const valid = fromHex(VECTOR_1);
    const bignumNonce = fromHex(hex(valid).replace('6c636c69656e745f6e6f6e636505', '6c636c69656e745f6e6f6e6365c24105'));
    const undefinedContent = fromHex(hex(valid).replace(/43010203$/, 'f7'));
    const duplicate = fromHex(`a2 61 61 01 61 61 02`);
    for (const bad of [Uint8Array.from([...valid, 0x00]), bignumNonce, undefinedContent, duplicate]) {
      expect(protocolErrorOf(() => decodeWebsocketMessage(bad)).code).toBe(ErrorCode.CborMalformed);
    }
  });

  it('rejects nesting deep enough to exhaust the stack, quickly', () => {
    const started = performance.now();
    expect(protocolErrorOf(() => decodeWebsocketMessage(deepCborArray(200_000))).code).toBe(ErrorCode.CborMalformed);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('rejects a 10 MB blob without decoding it, and a 1 MB blob where a principal belongs', () => {
    const huge = cborByteString(10 * 1024 * 1024);
    expect(protocolErrorOf(() => decodeWebsocketMessage(huge)).code).toBe(ErrorCode.FieldTooLarge);
    // Refused on its length alone, before any decoding (shown by the code, not by a clock: a time bound fails at
    // random on a loaded machine): 10 MB that are not even CBOR (a stray break first) are too large, not malformed.
    expect(protocolErrorOf(() => decodeWebsocketMessage(new Uint8Array(10 * 1024 * 1024).fill(0xff))).code).toBe(ErrorCode.FieldTooLarge);
    const bigPrincipal = wire({}, { client_principal: new Uint8Array(1024 * 1024) });
    expect(bigPrincipal.length).toBeLessThan(MAX_WEBSOCKET_MESSAGE_BYTES);
    expect(protocolErrorOf(() => decodeWebsocketMessage(bigPrincipal)).code).toBe(ErrorCode.FieldTooLarge);
    expect(protocolErrorOf(() => decodeWebsocketMessage(fromHex(VECTOR_1), { maxBytes: 10 })).code).toBe(ErrorCode.FieldTooLarge);
  });

  it('rejects a non-Uint8Array input', () => {
    expect(protocolErrorOf(() => decodeWebsocketMessage([0xa0] as unknown as Uint8Array)).code).toBe(ErrorCode.CborMalformed);
  });

  it('throws only ProtocolError for random bytes and mutations of valid encodings', () => {
    assertOnlyProtocolErrors(decodeWebsocketMessage, fromHex(VECTOR_1), 1000);
    assertOnlyProtocolErrors(decodeWebsocketMessage, fromHex(VECTOR_2), 1000);
  });
});
