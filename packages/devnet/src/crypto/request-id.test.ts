import { describe, expect, it } from 'vitest';
import { requestIdOf as agentRequestIdOf } from '@dfinity/agent';
import { Principal } from '@dfinity/principal';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils';
import { cborDecode, cborEncode } from 'ic-ws-protocol';
import { representationIndependentHash, requestIdOf, unsignedLeb128 } from './request-id';

describe('requestIdOf', () => {
  it('matches the example in the IC interface specification', () => {
    const content = new Map<string, unknown>([
      ['request_type', 'call'],
      ['sender', Uint8Array.of(0x04)],
      ['canister_id', hexToBytes('00000000000004d2')],
      ['method_name', 'hello'],
      ['arg', hexToBytes('4449444c00fd2a')], // "DIDL\x00\xFD*"
      ['ingress_expiry', 1685570400000000000n],
    ]);
    const id = requestIdOf(content as never);
    expect(bytesToHex(id!)).toBe('1d1091364d6bb8a6c16b203ee75467d59ead468f523eb058880ae8ec80e2b101');
  });

  it('agrees with @dfinity/agent on a read_state request with nested arrays, after a CBOR round trip', () => {
    const request = {
      request_type: 'read_state',
      paths: [[utf8ToBytes('request_status'), new Uint8Array(32).fill(7)], [utf8ToBytes('time')]],
      sender: Principal.anonymous(),
      ingress_expiry: 1_700_000_000_000_000_000n,
      nonce: Uint8Array.of(1, 2, 3),
    };
    const wire = cborEncode({
      request_type: request.request_type,
      paths: request.paths,
      sender: request.sender.toUint8Array(),
      ingress_expiry: request.ingress_expiry,
      nonce: request.nonce,
    });
    const decoded = cborDecode(wire) as Map<never, never>;
    expect(bytesToHex(requestIdOf(decoded)!)).toBe(bytesToHex(agentRequestIdOf(request)));
  });

  it('hashes small integers decoded as numbers like the same bigint', () => {
    expect(representationIndependentHash(300)).toEqual(representationIndependentHash(300n));
    expect(bytesToHex(unsignedLeb128(624485)!)).toBe('e58e26');
  });

  it('refuses values that have no representation-independent hash', () => {
    expect(representationIndependentHash(-1)).toBeUndefined();
    expect(representationIndependentHash(1.5)).toBeUndefined();
    expect(representationIndependentHash(true)).toBeUndefined();
    expect(representationIndependentHash(null)).toBeUndefined();
    expect(requestIdOf(new Map([[1, 'x']]))).toBeUndefined();
    expect(requestIdOf(new Map([['a', [null]]]))).toBeUndefined();
  });
});
