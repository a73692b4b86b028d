import { blsVerify } from '@dfinity/agent';

/**
 * Which BLS12-381 implementation checks certificate signatures: `wasm` is mcl compiled to WebAssembly with
 * the Miller-loop lines of the (fixed) G2 points precomputed; `noble` is agent-js's own `@noble/curves` path,
 * the fallback where WebAssembly cannot run.
 */
export type BlsVerifierKind = 'wasm' | 'noble';

/**
 * Verifies the IC's BLS signatures: signature in G1 (48 bytes, compressed), public key in G2 (96 bytes,
 * compressed), message hashed to G1 with the domain separator `BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_`.
 * Shaped like agent-js's `blsVerify`, which `Certificate.create` calls with the root (or subnet) key, the
 * certificate's signature and `"\x0Dic-state-root" + root hash`.
 */
export interface BlsVerifier {
  readonly kind: BlsVerifierKind;
  /** Why the WebAssembly verifier is not in use, when `auto` had to fall back to `noble`. */
  readonly fallbackReason?: string;
  /** `true` when `signature` is a valid signature of `message` under `publicKey`; `false` (or a throw) otherwise. */
  verify(publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array): boolean;
  /** Does ahead of time what can be done for `publicKey` before its first signature (optional). */
  prepare?(publicKey: Uint8Array): void;
}

/** agent-js's default verifier (`@noble/curves`): no code of its own, so the fallback costs no bundle bytes. */
export const nobleBlsVerifier: BlsVerifier = Object.freeze({
  kind: 'noble',
  verify: (publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array) => blsVerify(publicKey, signature, message),
});
