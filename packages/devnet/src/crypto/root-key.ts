import { bls12_381 } from '@noble/curves/bls12-381';
import { blsPublicKeyToDer } from './public-key-der';

/**
 * The devnet's root of trust: a BLS12-381 key in the IC's min-sig setting (public key in G2, signatures in
 * G1, the IC's hash-to-curve DST, which is noble's default for `shortSignatures`). Agents fetch `der` from
 * `/api/v2/status` and verify every certificate against it.
 */
export class RootKey {
  /** The public key as the agent expects it: 133 bytes of DER around the compressed 96-byte G2 point. */
  readonly der: Uint8Array;
  readonly #secretKey: Uint8Array;

  private constructor(secretKey: Uint8Array) {
    this.#secretKey = secretKey;
    this.der = blsPublicKeyToDer(bls12_381.shortSignatures.getPublicKey(secretKey).toRawBytes(true));
  }

  /**
   * A root key from a 32-byte secret (a scalar below the curve order, big-endian) so a devnet can keep
   * its identity across restarts, or a fresh random one.
   */
  static create(secretKey: Uint8Array = bls12_381.utils.randomPrivateKey()): RootKey {
    return new RootKey(Uint8Array.from(secretKey));
  }

  /** Signs `message` (hashed to G1 here); returns the 48-byte compressed signature. */
  sign(message: Uint8Array): Uint8Array {
    const point = bls12_381.shortSignatures.hash(message);
    return bls12_381.shortSignatures.sign(point, this.#secretKey).toRawBytes(true);
  }
}
