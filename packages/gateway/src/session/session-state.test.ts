import { Principal } from '@dfinity/principal';
import { describe, expect, it } from 'vitest';
import { SessionTarget, clientKeyId } from './session-state';

const key = (bytes: number[], nonce: bigint) => ({ client_principal: Principal.fromUint8Array(Uint8Array.from(bytes)), client_nonce: nonce });

describe('clientKeyId', () => {
  it('is the same for equal client keys and differs when the principal or the nonce differs', () => {
    expect(clientKeyId(key([1, 2, 3], 7n))).toBe(clientKeyId(key([1, 2, 3], 7n)));
    const ids = [key([1, 2, 3], 7n), key([1, 2, 4], 7n), key([1, 2, 3], 8n), key([1, 2], 37n), key([1, 2, 3, 7], 0n), key([], 0n), key([0], 0n)].map(clientKeyId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('stays distinct when principal bytes contain the separator', () => {
    const colon = ':'.charCodeAt(0);
    // "a:1" + ":" + "2" against "a" + ":" + "1:2" (not a nonce) and "a:1:" ...
    const ids = [key([97, colon, 49], 2n), key([97], 12n), key([97, colon, 49, colon], 2n), key([97, colon], 12n)].map(clientKeyId);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('SessionTarget', () => {
  const canister = Principal.fromUint8Array(Uint8Array.of(9, 9));
  const colon = ':'.charCodeAt(0);
  const keys = [key([1, 2, 3], 7n), key([97, colon, 49], 2n), key([97, colon], 12n), key([], 0n), key(Array.from({ length: 29 }, (_, i) => 255 - i), 2n ** 64n - 1n)];

  it('gives back the client key it was made of, which it keeps only as its id', () => {
    for (const clientKey of keys) {
      const target = SessionTarget.of(canister, clientKey);
      expect(target.clientKeyId).toBe(clientKeyId(clientKey));
      expect(target.clientKey.client_principal.toText()).toBe(clientKey.client_principal.toText());
      expect(target.clientKey.client_nonce).toBe(clientKey.client_nonce);
      expect(Object.values(target).some((value) => value instanceof Principal && value !== canister)).toBe(false);
    }
  });

  it('recognises its client principal and no other, separators in the bytes included', () => {
    for (const clientKey of keys) {
      const target = SessionTarget.of(canister, clientKey);
      expect(keys.filter((other) => target.isClient(other.client_principal)).map((other) => other.client_principal.toText())).toEqual([clientKey.client_principal.toText()]);
    }
  });
});
