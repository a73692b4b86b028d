/**
 * @noble/curves for tests and benchmarks. It is not a dependency of ic-ws-client (the client verifies through
 * @dfinity/agent, which depends on it), so it is resolved from @dfinity/agent's own location: the very copy
 * agent-js verifies certificates with.
 */
import { createRequire } from 'node:module';

const requireHere = createRequire(import.meta.url);
const requireFromAgent = createRequire(requireHere.resolve('@dfinity/agent'));

/** Field arithmetic as noble exposes it (elements of Fp are bigints, of Fp2 `{ c0, c1 }`). */
interface Field<T> {
  ORDER: bigint;
  create(value: T): T;
  add(a: T, b: T): T;
  mul(a: T, b: T): T;
  sqr(a: T): T;
  sqrt(a: T): T;
}

interface NoblePoint {
  toRawBytes(compressed: boolean): Uint8Array;
  add(other: NoblePoint): NoblePoint;
  toAffine(): { x: bigint; y: bigint };
}

interface Fp2Element {
  c0: bigint;
  c1: bigint;
}

interface Bls12381 {
  utils: { randomPrivateKey(): Uint8Array };
  getPublicKeyForShortSignatures(secretKey: Uint8Array): Uint8Array;
  signShortSignature(message: Uint8Array, secretKey: Uint8Array, htfOptions?: { DST: string }): Uint8Array;
  verifyShortSignature(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
  fields: { Fp: Field<bigint>; Fp2: Field<Fp2Element> & { fromBigTuple(tuple: [bigint, bigint]): Fp2Element } };
  G1: { ProjectivePoint: { fromHex(bytes: Uint8Array): NoblePoint; fromAffine(point: { x: bigint; y: bigint }): NoblePoint } };
  G2: { ProjectivePoint: { BASE: NoblePoint; fromHex(bytes: Uint8Array): NoblePoint } };
}

interface Ed25519 {
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
}

/** BLS12-381 with the IC's short-signature scheme (signature in G1, public key in G2). */
export const bls12_381 = (requireFromAgent('@noble/curves/bls12-381') as { bls12_381: Bls12381 }).bls12_381;

/** Ed25519, to check envelope signatures. */
export const ed25519 = (requireFromAgent('@noble/curves/ed25519') as { ed25519: Ed25519 }).ed25519;
