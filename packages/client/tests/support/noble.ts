/**
 * @noble/curves for tests and benchmarks. It is not a dependency of ic-ws-client (the client verifies through
 * @dfinity/agent, which depends on it), so it is resolved from @dfinity/agent's own location: the very copy
 * agent-js verifies certificates with.
 */
import { createRequire } from 'node:module';

const requireHere = createRequire(import.meta.url);
const requireFromAgent = createRequire(requireHere.resolve('@dfinity/agent'));

interface Bls12381 {
  utils: { randomPrivateKey(): Uint8Array };
  getPublicKeyForShortSignatures(secretKey: Uint8Array): Uint8Array;
  signShortSignature(message: Uint8Array, secretKey: Uint8Array): Uint8Array;
}

interface Ed25519 {
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
}

/** BLS12-381 with the IC's short-signature scheme (signature in G1, public key in G2). */
export const bls12_381 = (requireFromAgent('@noble/curves/bls12-381') as { bls12_381: Bls12381 }).bls12_381;

/** Ed25519, to check envelope signatures. */
export const ed25519 = (requireFromAgent('@noble/curves/ed25519') as { ed25519: Ed25519 }).ed25519;
