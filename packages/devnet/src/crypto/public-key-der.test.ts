import { describe, expect, it } from 'vitest';
import { ECDSAKeyIdentity, Ed25519KeyIdentity } from '@dfinity/identity';
import { secp256k1 } from '@noble/curves/secp256k1';
import { bytesToHex, concatBytes, hexToBytes } from '@noble/hashes/utils';
import { decodeSenderPublicKey, ed25519PublicKeyToDer } from './public-key-der';

const SECP256K1_SPKI_PREFIX = hexToBytes('3056301006072a8648ce3d020106052b8104000a034200');

describe('decodeSenderPublicKey', () => {
  it('reads an Ed25519 key from @dfinity/identity', () => {
    const identity = Ed25519KeyIdentity.generate();
    const key = decodeSenderPublicKey(identity.getPublicKey().toDer());
    expect(key?.scheme).toBe('ed25519');
    expect(bytesToHex(key!.raw)).toBe(bytesToHex(identity.getPublicKey().rawKey));
    expect(bytesToHex(ed25519PublicKeyToDer(key!.raw))).toBe(bytesToHex(identity.getPublicKey().toDer()));
  });

  it('reads a P-256 key exported by WebCrypto', async () => {
    const identity = await ECDSAKeyIdentity.generate();
    const key = decodeSenderPublicKey(identity.getPublicKey().toDer());
    expect(key?.scheme).toBe('ecdsa-p256');
    expect(key?.raw.length).toBe(65);
  });

  it('reads uncompressed and compressed secp256k1 keys by their curve OID', () => {
    const secret = secp256k1.utils.randomPrivateKey();
    const uncompressed = decodeSenderPublicKey(concatBytes(SECP256K1_SPKI_PREFIX, secp256k1.getPublicKey(secret, false)));
    expect(uncompressed?.scheme).toBe('ecdsa-secp256k1');
    const compressedDer = concatBytes(hexToBytes('3036301006072a8648ce3d020106052b8104000a032200'), secp256k1.getPublicKey(secret, true));
    expect(decodeSenderPublicKey(compressedDer)?.scheme).toBe('ecdsa-secp256k1');
  });

  it('refuses junk, truncation, trailing bytes and unknown algorithms without throwing', () => {
    const der = Ed25519KeyIdentity.generate().getPublicKey().toDer();
    expect(decodeSenderPublicKey(new Uint8Array())).toBeUndefined();
    expect(decodeSenderPublicKey(Uint8Array.of(0x30, 0x81))).toBeUndefined();
    expect(decodeSenderPublicKey(der.slice(0, 40))).toBeUndefined();
    expect(decodeSenderPublicKey(concatBytes(der, Uint8Array.of(0)))).toBeUndefined();
    // RSA (1.2.840.113549.1.1.1) is not a sender key the IC accepts.
    expect(decodeSenderPublicKey(hexToBytes('300d06092a864886f70d0101010500030100'))).toBeUndefined();
    // An Ed25519 OID around a 31-byte key.
    expect(decodeSenderPublicKey(concatBytes(hexToBytes('3029300506032b6570032000'), new Uint8Array(31)))).toBeUndefined();
    for (let i = 0; i < 200; i++) {
      const junk = crypto.getRandomValues(new Uint8Array(i % 60));
      expect(() => decodeSenderPublicKey(junk)).not.toThrow();
    }
  });
});
