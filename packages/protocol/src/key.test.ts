import { Principal } from '@dfinity/principal';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { protocolErrorOf } from '../tests/support/hostile-bytes';
import { ErrorCode, ProtocolError } from './errors';
import { formatOutgoingKey, formatOutgoingKeyOfText, outgoingKeyLength, outgoingKeyNonce, parseOutgoingKey, OUTGOING_KEY_NONCE_DIGITS } from './key';

const MAX_U64 = (1n << 64n) - 1n;
const gateway = Principal.fromText('rrkah-fqaaa-aaaaa-aaaaq-cai');

describe('formatOutgoingKey', () => {
  it('writes the principal text, one underscore and 20 zero-padded digits', () => {
    expect(formatOutgoingKey(gateway, 0n)).toBe('rrkah-fqaaa-aaaaa-aaaaq-cai_00000000000000000000');
    expect(formatOutgoingKey(gateway, 42n)).toBe('rrkah-fqaaa-aaaaa-aaaaq-cai_00000000000000000042');
    expect(formatOutgoingKey(gateway, MAX_U64)).toBe('rrkah-fqaaa-aaaaa-aaaaq-cai_18446744073709551615');
  });

  it('gives the same key from the principal text', () => {
    for (const nonce of [0n, 42n, MAX_U64]) expect(formatOutgoingKeyOfText(gateway.toText(), nonce)).toBe(formatOutgoingKey(gateway, nonce));
    expect(protocolErrorOf(() => formatOutgoingKeyOfText(gateway.toText(), -1n)).code).toBe(ErrorCode.OutOfRange);
  });

  it('refuses nonces outside u64', () => {
    expect(protocolErrorOf(() => formatOutgoingKey(gateway, -1n)).code).toBe(ErrorCode.OutOfRange);
    expect(protocolErrorOf(() => formatOutgoingKey(gateway, MAX_U64 + 1n)).code).toBe(ErrorCode.OutOfRange);
  });

  it('sorts keys of one gateway like their nonces', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MAX_U64 }), fc.bigInt({ min: 0n, max: MAX_U64 }), (a, b) => {
        const [ka, kb] = [formatOutgoingKey(gateway, a), formatOutgoingKey(gateway, b)];
        expect(ka < kb).toBe(a < b);
        expect(ka === kb).toBe(a === b);
      }),
    );
  });
});

describe('parseOutgoingKey', () => {
  it('inverts formatOutgoingKey for any principal and nonce', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 29 }), fc.bigInt({ min: 0n, max: MAX_U64 }), (bytes, nonce) => {
        const principal = Principal.fromUint8Array(bytes);
        const parsed = parseOutgoingKey(formatOutgoingKey(principal, nonce));
        expect(parsed.gatewayPrincipal.toText()).toBe(principal.toText());
        expect(parsed.nonce).toBe(nonce);
      }),
    );
  });

  it('parses the edge nonces 0 and 2^64-1', () => {
    expect(parseOutgoingKey('aaaaa-aa_00000000000000000000')).toEqual({ gatewayPrincipal: Principal.fromText('aaaaa-aa'), nonce: 0n });
    expect(parseOutgoingKey('aaaaa-aa_18446744073709551615').nonce).toBe(MAX_U64);
  });

  it.each([
    ['a short nonce', 'aaaaa-aa_0'],
    ['an unpadded nonce', 'aaaaa-aa_42'],
    ['21 digits', 'aaaaa-aa_000000000000000000042'],
    ['a nonce above 2^64-1', 'aaaaa-aa_18446744073709551616'],
    ['a signed nonce', 'aaaaa-aa_+0000000000000000042'],
    ['a non-digit nonce', 'aaaaa-aa_0000000000000000004x'],
    ['no underscore', 'aaaaa-aa00000000000000000000'],
    ['an extra underscore', 'aaaaa-aa_00000000000000000000_00000000000000000000'],
    ['an underscore inside the principal', 'aaaaa_aa_00000000000000000000'],
    ['an empty principal', '_00000000000000000000'],
    ['a bad checksum', 'aaaaa-ab_00000000000000000000'],
    ['an upper-case principal', 'AAAAA-AA_00000000000000000000'],
    ['a principal without dashes', 'aaaaaaa_00000000000000000000'],
    ['a principal text that is too long', `${'aaaaa-'.repeat(11)}aa_00000000000000000000`],
    ['a huge string', `${'a'.repeat(1_000_000)}_00000000000000000000`],
    ['whitespace', ' aaaaa-aa_00000000000000000000'],
    ['an empty string', ''],
  ])('rejects %s with INVALID_KEY', (_name, key) => {
    expect(protocolErrorOf(() => parseOutgoingKey(key)).code).toBe(ErrorCode.InvalidKey);
  });

  it('rejects a non-string with INVALID_KEY', () => {
    expect(protocolErrorOf(() => parseOutgoingKey(42 as unknown as string)).code).toBe(ErrorCode.InvalidKey);
  });

  it('throws only INVALID_KEY for random strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 100 }), (key) => {
        try {
          parseOutgoingKey(key);
        } catch (error) {
          if (!(error instanceof ProtocolError) || error.code !== ErrorCode.InvalidKey) throw error;
        }
      }),
    );
  });
});

describe('outgoingKeyLength', () => {
  it('is the length of every key of the gateway', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 29 }), fc.bigInt({ min: 0n, max: MAX_U64 }), (bytes, nonce) => {
        const principal = Principal.fromUint8Array(bytes);
        expect(formatOutgoingKey(principal, nonce).length).toBe(outgoingKeyLength(principal.toText()));
      }),
    );
    expect(OUTGOING_KEY_NONCE_DIGITS).toBe(formatOutgoingKey(gateway, 0n).length - gateway.toText().length - 1);
  });
});

describe('outgoingKeyNonce', () => {
  const other = Principal.fromText('aaaaa-aa');

  it('gives the nonce of any key of the gateway', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 29 }), fc.bigInt({ min: 0n, max: MAX_U64 }), (bytes, nonce) => {
        const principal = Principal.fromUint8Array(bytes);
        expect(outgoingKeyNonce(formatOutgoingKey(principal, nonce), principal)).toBe(nonce);
      }),
    );
  });

  it("refuses another gateway's valid key with WRONG_GATEWAY", () => {
    expect(protocolErrorOf(() => outgoingKeyNonce(formatOutgoingKey(other, 5n), gateway)).code).toBe(ErrorCode.WrongGateway);
  });

  it.each([
    ['a nonce above 2^64-1', `${gateway.toText()}_18446744073709551616`],
    ['a short nonce', `${gateway.toText()}_0000000000000000042`],
    ['a non-digit nonce', `${gateway.toText()}_0000000000000000004x`],
    ['another separator', `${gateway.toText()}-00000000000000000042`],
    ['a prefix of the principal', `${gateway.toText().slice(0, -1)}_000000000000000000042`],
  ])('refuses %s of this gateway with INVALID_KEY', (_name, key) => {
    expect(protocolErrorOf(() => outgoingKeyNonce(key, gateway)).code).toBe(ErrorCode.InvalidKey);
  });

  it('agrees with parseOutgoingKey on mutations of a valid key', () => {
    const valid = formatOutgoingKey(gateway, 1234n);
    const mutated = fc
      .tuple(fc.nat({ max: valid.length - 1 }), fc.constantFrom(...'_-0123456789abcdefz'.split('')))
      .map(([at, char]) => valid.slice(0, at) + char + valid.slice(at + 1));
    fc.assert(
      fc.property(mutated, (key) => {
        let parsed: ReturnType<typeof parseOutgoingKey> | undefined;
        try {
          parsed = parseOutgoingKey(key);
        } catch (error) {
          expect(protocolErrorOf(() => outgoingKeyNonce(key, gateway)).code).toBe((error as ProtocolError).code);
          return;
        }
        if (parsed.gatewayPrincipal.toText() === gateway.toText()) expect(outgoingKeyNonce(key, gateway)).toBe(parsed.nonce);
        else expect(protocolErrorOf(() => outgoingKeyNonce(key, gateway)).code).toBe(ErrorCode.WrongGateway);
      }),
    );
  });
});
