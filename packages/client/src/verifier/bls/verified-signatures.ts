import { compareBytes } from 'ic-ws-protocol';
import type { BlsVerifier } from './bls-verifier';

/**
 * Remembers the last few signatures that verified, so the same (key, signature, message) is checked once.
 * On mainnet every certificate carries its subnet's delegation, a certificate signed by the root key that
 * stays the same for hours: agent-js verifies it again inside every new certificate, so remembering it halves
 * the BLS work per certificate. A BLS verification is a pure function of its three inputs, so an exact byte
 * match is as good as verifying again. Refusals are not remembered (there is nothing to save on them, and a
 * flood of them must not push out the delegation).
 */
export class VerifiedSignatures implements BlsVerifier {
  readonly kind: BlsVerifier['kind'];
  readonly fallbackReason?: string;
  /** Verified inputs, oldest first. */
  readonly #verified: { publicKey: Uint8Array; signature: Uint8Array; message: Uint8Array }[] = [];
  /** How many verifications reached the underlying verifier (what the memo saves shows in tests and benchmarks). */
  verifications = 0;

  constructor(
    private readonly verifier: BlsVerifier,
    private readonly size = 8,
  ) {
    this.kind = verifier.kind;
    if (verifier.fallbackReason !== undefined) this.fallbackReason = verifier.fallbackReason;
  }

  prepare(publicKey: Uint8Array): void {
    this.verifier.prepare?.(publicKey);
  }

  verify(publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array): boolean {
    const known = this.#verified.some(
      (entry) => compareBytes(entry.signature, signature) === 0 && compareBytes(entry.message, message) === 0 && compareBytes(entry.publicKey, publicKey) === 0,
    );
    if (known) return true;
    this.verifications += 1;
    const valid = this.verifier.verify(publicKey, signature, message);
    if (valid === true) {
      this.#verified.push({ publicKey: publicKey.slice(), signature: signature.slice(), message: message.slice() });
      if (this.#verified.length > Math.max(0, this.size)) this.#verified.shift();
    }
    return valid;
  }
}
