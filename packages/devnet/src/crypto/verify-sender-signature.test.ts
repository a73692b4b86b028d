import { describe, expect, it } from 'vitest';
import { ECDSAKeyIdentity, Ed25519KeyIdentity } from '@dfinity/identity';
import { secp256k1 } from '@noble/curves/secp256k1';
import { sha256 } from '@noble/hashes/sha256';
import { concatBytes, hexToBytes, utf8ToBytes } from '@noble/hashes/utils';
import { decodeSenderPublicKey, type SenderPublicKey } from './public-key-der';
import { verifySenderSignature } from './verify-sender-signature';

const message = utf8ToBytes('\x0Aic-request and a request id');

function tampered(bytes: Uint8Array): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[copy.length - 1] = (copy[copy.length - 1] as number) ^ 1;
  return copy;
}

describe('verifySenderSignature', () => {
  it('accepts Ed25519 signatures of @dfinity/identity and rejects altered ones', async () => {
    const identity = Ed25519KeyIdentity.generate();
    const key = decodeSenderPublicKey(identity.getPublicKey().toDer()) as SenderPublicKey;
    const signature = new Uint8Array(await identity.sign(message));
    expect(verifySenderSignature(key, message, signature)).toBe(true);
    expect(verifySenderSignature(key, message, tampered(signature))).toBe(false);
    expect(verifySenderSignature(key, tampered(message), signature)).toBe(false);
  });

  it('accepts WebCrypto P-256 signatures (r || s over SHA-256)', async () => {
    const identity = await ECDSAKeyIdentity.generate();
    const key = decodeSenderPublicKey(identity.getPublicKey().toDer()) as SenderPublicKey;
    const signature = new Uint8Array(await identity.sign(message));
    expect(verifySenderSignature(key, message, signature)).toBe(true);
    expect(verifySenderSignature(key, message, tampered(signature))).toBe(false);
  });

  it('accepts secp256k1 signatures (r || s over SHA-256)', () => {
    const secret = secp256k1.utils.randomPrivateKey();
    const der = concatBytes(hexToBytes('3056301006072a8648ce3d020106052b8104000a034200'), secp256k1.getPublicKey(secret, false));
    const key = decodeSenderPublicKey(der) as SenderPublicKey;
    const signature = secp256k1.sign(sha256(message), secret).toCompactRawBytes();
    expect(verifySenderSignature(key, message, signature)).toBe(true);
    expect(verifySenderSignature(key, tampered(message), signature)).toBe(false);
  });

  it('answers false, never throws, for signatures of the wrong size or out-of-range values', () => {
    const key = decodeSenderPublicKey(Ed25519KeyIdentity.generate().getPublicKey().toDer()) as SenderPublicKey;
    expect(verifySenderSignature(key, message, new Uint8Array(63))).toBe(false);
    const p256Key: SenderPublicKey = { scheme: 'ecdsa-p256', raw: new Uint8Array(65).fill(4) };
    expect(verifySenderSignature(p256Key, message, new Uint8Array(64).fill(0xff))).toBe(false);
  });
});
