import { ed25519 } from '@noble/curves/ed25519';
import { p256 } from '@noble/curves/p256';
import { secp256k1 } from '@noble/curves/secp256k1';
import { sha256 } from '@noble/hashes/sha256';
import type { SenderPublicKey } from './public-key-der';

/**
 * Checks `signature` over `message` with a sender key, the way the IC does: Ed25519 over the message
 * itself; ECDSA (P-256, secp256k1) as a 64-byte `r || s` over SHA-256 of the message. High-S ECDSA
 * signatures are accepted because WebCrypto produces them. Returns false for any malformed input rather
 * than throwing, so junk from the network can only ever fail verification.
 */
export function verifySenderSignature(key: SenderPublicKey, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    switch (key.scheme) {
      case 'ed25519':
        return signature.length === 64 && ed25519.verify(signature, message, key.raw);
      case 'ecdsa-p256':
        return signature.length === 64 && p256.verify(signature, sha256(message), key.raw, ecdsaOptions);
      case 'ecdsa-secp256k1':
        return signature.length === 64 && secp256k1.verify(signature, sha256(message), key.raw, ecdsaOptions);
    }
  } catch {
    // noble throws on points off the curve and out-of-range scalars: that is a bad signature, not a bug.
    return false;
  }
}

const ecdsaOptions = { lowS: false, prehash: false, format: 'compact' } as const;
