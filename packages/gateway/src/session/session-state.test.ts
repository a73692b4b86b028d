import { Principal } from '@dfinity/principal';
import { describe, expect, it } from 'vitest';
import { clientKeyId } from './session-state';

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
