import { Principal } from '@dfinity/principal';
import { describe, expect, it } from 'vitest';
import { assertOnlyProtocolErrors, cborByteString, deepCborArray, protocolErrorOf } from '../../tests/support/hostile-bytes';
import { ErrorCode } from '../errors';
import { cborDecode, cborEncode, type CborEncodable } from './cbor';
import {
  decodeCanisterMessageFrame,
  decodeClientRequestFrame,
  decodeHandshakeFrame,
  encodeCanisterMessageFrame,
  encodeClientRequestFrame,
  encodeHandshakeFrame,
  type CanisterMessageFrame,
} from './frames';
import { encodeSignedCallEnvelope, signedCallEnvelopeToCbor, type SignedCallEnvelope } from './frames-envelope';
import { DEFAULT_FRAME_LIMITS } from './frames-limits';

const gateway = Principal.fromUint8Array(new Uint8Array(29).fill(0x42));
const canister = Principal.fromText('rrkah-fqaaa-aaaaa-aaaaq-cai');
const sender = Principal.fromUint8Array(Uint8Array.from({ length: 29 }, (_, i) => i));

const envelope: SignedCallEnvelope = {
  content: {
    request_type: 'call',
    canister_id: canister,
    method_name: 'ws_open',
    arg: Uint8Array.of(0x44, 0x49, 0x44, 0x4c, 0x00, 0x00),
    sender,
    ingress_expiry: 1_700_000_300_000_000_000n,
    nonce: new Uint8Array(16).fill(9),
  },
  sender_pubkey: new Uint8Array(44).fill(1),
  sender_sig: new Uint8Array(64).fill(2),
  sender_delegation: [
    { delegation: { pubkey: new Uint8Array(44).fill(3), expiration: 1n << 62n, targets: [canister, gateway] }, signature: new Uint8Array(64).fill(4) },
    { delegation: { pubkey: new Uint8Array(91).fill(5), expiration: 7n }, signature: new Uint8Array(70).fill(6) },
  ],
};

const anonymous: SignedCallEnvelope = {
  content: { ...envelope.content, sender: Principal.anonymous(), nonce: undefined },
};
delete anonymous.content.nonce;

const canisterMessage: CanisterMessageFrame = {
  key: `${gateway.toText()}_00000000000000000042`,
  content: Uint8Array.of(0xd9, 0xd9, 0xf7, 0xa0),
  cert: new Uint8Array(1500).fill(7),
  tree: new Uint8Array(300).fill(8),
};

/** A client request frame whose envelope is `raw`, encoded plainly (no tag). */
function requestFrame(raw: CborEncodable): Uint8Array {
  return cborEncode({ envelope: raw });
}

/** The CBOR value of the test envelope with `patch` merged into its content. */
function withContent(patch: Record<string, CborEncodable>): CborEncodable {
  const raw = signedCallEnvelopeToCbor(envelope) as { content: Record<string, CborEncodable> };
  return { ...raw, content: { ...raw.content, ...patch } };
}

describe('handshake frame', () => {
  it('round-trips, tagged, as a map with gateway_principal bytes', () => {
    const bytes = encodeHandshakeFrame({ gateway_principal: gateway });
    expect(Array.from(bytes.subarray(0, 4))).toEqual([0xd9, 0xd9, 0xf7, 0xa1]);
    expect(cborDecode(bytes)).toEqual(new Map([['gateway_principal', gateway.toUint8Array()]]));
    expect(decodeHandshakeFrame(bytes)).toEqual({ gateway_principal: gateway });
    expect(decodeHandshakeFrame(bytes.subarray(3))).toEqual({ gateway_principal: gateway });
  });

  it.each([
    ['an extra field', cborEncode({ gateway_principal: gateway.toUint8Array(), x: 1 }), ErrorCode.CborInvalidShape],
    ['a text principal', cborEncode({ gateway_principal: gateway.toText() }), ErrorCode.CborInvalidShape],
    ['a 30-byte principal', cborEncode({ gateway_principal: new Uint8Array(30) }), ErrorCode.FieldTooLarge],
    ['a frame above its limit', cborEncode({ gateway_principal: new Uint8Array(2000) }), ErrorCode.FieldTooLarge],
    ['truncated CBOR', encodeHandshakeFrame({ gateway_principal: gateway }).subarray(0, 10), ErrorCode.CborMalformed],
    ['1000-deep nesting', deepCborArray(1000), ErrorCode.CborInvalidShape],
    ['5000-deep nesting (over the 1 KiB handshake limit)', deepCborArray(5000), ErrorCode.FieldTooLarge],
    ['a 10 MB blob', cborByteString(10 * 1024 * 1024), ErrorCode.FieldTooLarge],
  ])('rejects %s', (_name, bytes, code) => {
    expect(protocolErrorOf(() => decodeHandshakeFrame(bytes)).code).toBe(code);
  });

  it('throws only ProtocolError for random bytes and mutations', () => {
    assertOnlyProtocolErrors(decodeHandshakeFrame, encodeHandshakeFrame({ gateway_principal: gateway }));
  });
});

describe('client request frame', () => {
  it('round-trips a delegated envelope and an anonymous one', () => {
    for (const env of [envelope, anonymous]) {
      const decoded = decodeClientRequestFrame(encodeClientRequestFrame({ envelope: env }));
      expect(decoded.envelope).toEqual(env);
      expect(decoded.envelopeBytes).toEqual(encodeSignedCallEnvelope(env));
    }
  });

  it('hands back the client\'s own envelope bytes, whatever field order it used', () => {
    // Field order of another encoder: content last, content fields reversed.
    const raw = signedCallEnvelopeToCbor(envelope) as Record<string, CborEncodable>;
    const content = raw.content as Record<string, CborEncodable>;
    const reversed = { sender_sig: raw.sender_sig!, sender_pubkey: raw.sender_pubkey!, content: Object.fromEntries(Object.entries(content).reverse()) };
    const inner = cborEncode(reversed);
    const frame = requestFrame(reversed);
    const decoded = decodeClientRequestFrame(frame);
    expect(Array.from(decoded.envelopeBytes)).toEqual([0xd9, 0xd9, 0xf7, ...inner]);
    expect(decoded.envelopeBytes).not.toEqual(encodeSignedCallEnvelope(decoded.envelope));
  });

  it('keeps an inner self-describe tag instead of doubling it', () => {
    const inner = encodeSignedCallEnvelope(envelope);
    const frame = Uint8Array.from([0xa1, 0x68, ...new TextEncoder().encode('envelope'), ...inner]);
    expect(decodeClientRequestFrame(frame).envelopeBytes).toEqual(inner);
  });

  it('with reuseFrameBytes, hands back the same bytes sharing the frame memory, tag written in place', () => {
    const frame = encodeClientRequestFrame({ envelope });
    const copied = decodeClientRequestFrame(frame.slice()).envelopeBytes;
    const shared = decodeClientRequestFrame(frame, undefined, { reuseFrameBytes: true }).envelopeBytes;
    expect(shared).toEqual(copied);
    expect(shared.buffer).toBe(frame.buffer);
    expect(shared.byteOffset + shared.length).toBe(frame.byteOffset + frame.length);
    // An inner tag needs no writing: the envelope is just a view of the frame.
    const tagged = Uint8Array.from([0xa1, 0x68, ...new TextEncoder().encode('envelope'), ...encodeSignedCallEnvelope(envelope)]);
    const view = decodeClientRequestFrame(tagged, undefined, { reuseFrameBytes: true }).envelopeBytes;
    expect(view).toEqual(encodeSignedCallEnvelope(envelope));
    expect(view.buffer).toBe(tagged.buffer);
  });

  it('re-encodes value-exactly when the frame head is unusual', () => {
    // "envelope" as a text string with a 1-byte length argument (78 08) instead of the short form (68).
    const inner = encodeSignedCallEnvelope(envelope).subarray(3);
    const frame = Uint8Array.from([0xa1, 0x78, 0x08, ...new TextEncoder().encode('envelope'), ...inner]);
    const decoded = decodeClientRequestFrame(frame);
    expect(decoded.envelope).toEqual(envelope);
    expect(cborDecode(decoded.envelopeBytes)).toEqual(cborDecode(inner));
  });

  it('reads null optional envelope fields as absent', () => {
    const raw = { content: (signedCallEnvelopeToCbor(anonymous) as { content: CborEncodable }).content, sender_pubkey: null, sender_sig: null, sender_delegation: null };
    expect(decodeClientRequestFrame(requestFrame(raw)).envelope).toEqual(anonymous);
  });

  const delegationWith = (patch: Record<string, CborEncodable>): CborEncodable => ({
    ...(signedCallEnvelopeToCbor(envelope) as Record<string, CborEncodable>),
    sender_delegation: [{ delegation: { pubkey: Uint8Array.of(1), expiration: 1, ...patch }, signature: Uint8Array.of(2) }],
  });

  it.each([
    ['a query request', requestFrame(withContent({ request_type: 'query' })), ErrorCode.CborInvalidShape],
    ['an unknown content field', requestFrame(withContent({ paths: [] })), ErrorCode.CborInvalidShape],
    ['an unknown envelope field', requestFrame({ ...(signedCallEnvelopeToCbor(envelope) as object), extra: 1 } as CborEncodable), ErrorCode.CborInvalidShape],
    ['a missing sender', requestFrame({ content: { request_type: 'call' } }), ErrorCode.CborInvalidShape],
    ['a frame without envelope', cborEncode({ content: 1 }), ErrorCode.CborInvalidShape],
    ['a truncated frame', encodeClientRequestFrame({ envelope }).subarray(0, 200), ErrorCode.CborMalformed],
    ['1000-deep nesting', deepCborArray(1000), ErrorCode.CborInvalidShape],
    ['a text canister_id', requestFrame(withContent({ canister_id: 'aaaaa-aa' })), ErrorCode.CborInvalidShape],
    ['a 30-byte sender', requestFrame(withContent({ sender: new Uint8Array(30) })), ErrorCode.FieldTooLarge],
    ['a 33-byte nonce', requestFrame(withContent({ nonce: new Uint8Array(33) })), ErrorCode.FieldTooLarge],
    ['a 2000-character method name', requestFrame(withContent({ method_name: 'm'.repeat(2000) })), ErrorCode.FieldTooLarge],
    ['a negative ingress_expiry', requestFrame(withContent({ ingress_expiry: -1 })), ErrorCode.OutOfRange],
    ['a 65 KiB signature', requestFrame({ ...(signedCallEnvelopeToCbor(envelope) as object), sender_sig: new Uint8Array(65 * 1024) } as CborEncodable), ErrorCode.FieldTooLarge],
    ['21 delegations', requestFrame({ ...(signedCallEnvelopeToCbor(envelope) as object), sender_delegation: new Array(21).fill({ delegation: { pubkey: Uint8Array.of(1), expiration: 1 }, signature: Uint8Array.of(1) }) } as CborEncodable), ErrorCode.FieldTooLarge],
    ['1001 delegation targets', requestFrame(delegationWith({ targets: new Array(1001).fill(Uint8Array.of(1)) })), ErrorCode.FieldTooLarge],
    ['a delegation with senders', requestFrame(delegationWith({ senders: [] })), ErrorCode.CborInvalidShape],
    ['delegation targets as a map', requestFrame(delegationWith({ targets: {} })), ErrorCode.CborInvalidShape],
  ])('rejects %s', (_name, bytes, code) => {
    expect(protocolErrorOf(() => decodeClientRequestFrame(bytes)).code).toBe(code);
  });

  it('rejects a 1000-deep value where arg belongs', () => {
    const raw = withContent({ arg: 0 }) as { content: Record<string, CborEncodable> };
    let nested: CborEncodable = 0;
    for (let i = 0; i < 1000; i++) nested = [nested];
    expect(protocolErrorOf(() => decodeClientRequestFrame(requestFrame({ content: { ...raw.content, arg: nested } }))).code).toBe(
      ErrorCode.CborInvalidShape,
    );
  });

  it('rejects a 10 MB frame before decoding, and honours custom limits', () => {
    const huge = cborByteString(10 * 1024 * 1024);
    expect(protocolErrorOf(() => decodeClientRequestFrame(huge)).code).toBe(ErrorCode.FieldTooLarge);
    // Before decoding (shown by the code, not by a clock): 10 MB that are not even CBOR are too large, not malformed.
    expect(protocolErrorOf(() => decodeClientRequestFrame(new Uint8Array(10 * 1024 * 1024).fill(0xff))).code).toBe(ErrorCode.FieldTooLarge);
    const frame = encodeClientRequestFrame({ envelope });
    expect(protocolErrorOf(() => decodeClientRequestFrame(frame, { maxClientRequestFrameBytes: 100 })).code).toBe(ErrorCode.FieldTooLarge);
    expect(protocolErrorOf(() => decodeClientRequestFrame(frame, { maxDelegations: 1 })).code).toBe(ErrorCode.FieldTooLarge);
    expect(decodeClientRequestFrame(frame, { maxDelegations: 2 }).envelope).toEqual(envelope);
  });

  it('refuses to encode integers outside u64 and oversized principals', () => {
    const bad = { ...envelope, content: { ...envelope.content, ingress_expiry: 1n << 64n } };
    expect(protocolErrorOf(() => encodeClientRequestFrame({ envelope: bad })).code).toBe(ErrorCode.OutOfRange);
    const big = { ...envelope, content: { ...envelope.content, canister_id: Principal.fromUint8Array(new Uint8Array(30)) } };
    expect(protocolErrorOf(() => encodeSignedCallEnvelope(big)).code).toBe(ErrorCode.FieldTooLarge);
  });

  it('throws only ProtocolError for random bytes and mutations', () => {
    assertOnlyProtocolErrors(decodeClientRequestFrame, encodeClientRequestFrame({ envelope }), 1000);
    assertOnlyProtocolErrors(decodeClientRequestFrame, encodeClientRequestFrame({ envelope: anonymous }), 500);
  });
});

/** A canister message frame whose `cert` is 1000 nested arrays, written item by item. */
function deepCertFrame(): Uint8Array {
  const items: CborEncodable[] = ['key', 'k', 'content', Uint8Array.of(), 'tree', Uint8Array.of(), 'cert'];
  return Uint8Array.from([0xa4, ...items.flatMap((item) => [...cborEncode(item)]), ...deepCborArray(1000)]);
}

describe('canister message frame', () => {
  it('round-trips as an untagged map { key, content, cert, tree }', () => {
    const bytes = encodeCanisterMessageFrame(canisterMessage);
    expect(bytes[0]).toBe(0xa4);
    expect([...(cborDecode(bytes) as Map<string, unknown>).keys()]).toEqual(['key', 'content', 'cert', 'tree']);
    expect(decodeCanisterMessageFrame(bytes)).toEqual(canisterMessage);
    expect(decodeCanisterMessageFrame(Uint8Array.from([0xd9, 0xd9, 0xf7, ...bytes]))).toEqual(canisterMessage);
  });

  it.each([
    ['a missing tree', cborEncode({ key: 'k', content: Uint8Array.of(), cert: Uint8Array.of() }), ErrorCode.CborInvalidShape],
    ['a key as bytes', cborEncode({ ...canisterMessage, key: Uint8Array.of(1) }), ErrorCode.CborInvalidShape],
    ['a 101-character key', cborEncode({ ...canisterMessage, key: 'k'.repeat(101) }), ErrorCode.FieldTooLarge],
    ['a certificate above 256 KiB', cborEncode({ ...canisterMessage, cert: new Uint8Array(DEFAULT_FRAME_LIMITS.maxCertificateBytes + 1) }), ErrorCode.FieldTooLarge],
    ['a witness above 1 MiB', cborEncode({ ...canisterMessage, tree: new Uint8Array(DEFAULT_FRAME_LIMITS.maxWitnessBytes + 1) }), ErrorCode.FieldTooLarge],
    ['a 10 MB frame', cborByteString(10 * 1024 * 1024), ErrorCode.FieldTooLarge],
    ['trailing bytes', Uint8Array.from([...encodeCanisterMessageFrame(canisterMessage), 0]), ErrorCode.CborMalformed],
    ['a truncated frame', encodeCanisterMessageFrame(canisterMessage).subarray(0, 100), ErrorCode.CborMalformed],
    ['1000-deep nesting where the certificate belongs', deepCertFrame(), ErrorCode.CborInvalidShape],
    ['a 2 MiB text where the key belongs', cborEncode({ ...canisterMessage, key: 'k'.repeat(2 * 1024 * 1024) }), ErrorCode.FieldTooLarge],
  ])('rejects %s', (_name, bytes, code) => {
    expect(protocolErrorOf(() => decodeCanisterMessageFrame(bytes)).code).toBe(code);
  });

  it('throws only ProtocolError for random bytes and mutations', () => {
    assertOnlyProtocolErrors(decodeCanisterMessageFrame, encodeCanisterMessageFrame({ ...canisterMessage, cert: Uint8Array.of(1, 2) }), 1000);
  });
});
