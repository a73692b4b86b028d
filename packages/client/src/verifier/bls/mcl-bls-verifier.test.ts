/**
 * The WebAssembly verifier against agent-js's @noble/curves verifier, input by input: every signature either
 * both accept or both refuse. Random keys and messages, each valid and then mutated (tampered bits, another
 * key, another domain separator, points off the subgroup, at infinity, non-canonical encodings noble
 * tolerates). Cases whose verdict is known are also checked against it, so two verifiers broken alike fail.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { bls12_381 } from '../../../tests/support/noble';
import { nobleBlsVerifier, type BlsVerifier } from './bls-verifier';
import { IC_BLS_DST, McLBlsVerifier } from './mcl-bls-verifier';

const { Fp, Fp2 } = bls12_381.fields;
const P = Fp.ORDER;

interface Keypair {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
}

let wasm: McLBlsVerifier;
const keys: Keypair[] = [];
/** Keys whose x.c1 (first) or x.c0 (second) coordinate has a second encoding below 2^381. */
let keyWithSmallX1: Keypair;
let keyWithSmallX0: Keypair;

function keypair(): Keypair {
  const secretKey = bls12_381.utils.randomPrivateKey();
  return { secretKey, publicKey: bls12_381.getPublicKeyForShortSignatures(secretKey) };
}

beforeAll(async () => {
  wasm = await McLBlsVerifier.create();
  for (let i = 0; i < 6; i++) keys.push(keypair());
  do keyWithSmallX1 = keypair();
  while (plusP(keyWithSmallX1.publicKey, 0) === undefined);
  do keyWithSmallX0 = keypair();
  while (plusP(keyWithSmallX0.publicKey, 48) === undefined);
});

/** A verifier's verdict as agent-js reads it: a throw is a refusal. */
function accepts(verifier: BlsVerifier, publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array): boolean {
  try {
    return verifier.verify(publicKey, signature, message);
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    return false;
  }
}

const toBigInt = (bytes: Uint8Array) => bytes.reduce((acc, byte) => (acc << 8n) | BigInt(byte), 0n);
function toBytes(value: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = length - 1; i >= 0; i--, value >>= 8n) out[i] = Number(value & 0xffn);
  return out;
}
function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = bytes.slice();
  out[Math.floor(bit / 8) % out.length]! ^= 1 << bit % 8;
  return out;
}

/** A compressed G1 point on the curve y² = x³ + 4 but (with overwhelming probability) not in the subgroup. */
function g1OffSubgroup(seed: bigint): Uint8Array {
  for (let x = seed % P; ; x = (x + 1n) % P) {
    const right = Fp.add(Fp.mul(Fp.sqr(x), x), 4n);
    let y: bigint;
    try {
      y = Fp.sqrt(right);
    } catch (error) {
      expect(error).toBeInstanceOf(Error);
      continue;
    }
    const out = toBytes(x, 48);
    out[0] = out[0]! | 0x80 | (y * 2n > P ? 0x20 : 0);
    return out;
  }
}

/** A compressed G2 point on the twist y² = x³ + 4(u + 1) but not in the subgroup. */
function g2OffSubgroup(seed: bigint): Uint8Array {
  for (let c0 = seed % P; ; c0 = (c0 + 1n) % P) {
    const x = Fp2.fromBigTuple([c0, 1n]);
    const right = Fp2.add(Fp2.mul(Fp2.sqr(x), x), Fp2.fromBigTuple([4n, 4n]));
    try {
      Fp2.sqrt(right);
    } catch (error) {
      expect(error).toBeInstanceOf(Error);
      continue;
    }
    const out = new Uint8Array(96);
    out.set(toBytes(x.c1, 48), 0);
    out.set(toBytes(x.c0, 48), 48);
    out[0] = out[0]! | 0x80;
    return out;
  }
}

/** The 48-byte coordinate at `offset` plus p: a second encoding of it, when one fits in 381 bits. */
function plusP(point: Uint8Array, offset: number): Uint8Array | undefined {
  const x = toBigInt(point.subarray(offset, offset + 48)) & ((1n << 381n) - 1n);
  if (x + P >= 1n << 381n) return undefined;
  const out = point.slice();
  out.set(toBytes(x + P, 48), offset);
  out[0] = out[0]! | (point[0]! & 0xe0);
  return out;
}

type Mutation = (typeof MUTATIONS)[number];
const MUTATIONS = [
  'none',
  'flip-signature-bit',
  'flip-message-bit',
  'flip-key-bit',
  'other-key',
  'wrong-dst',
  'negated-signature',
  'signature-compression-flag-cleared',
  'signature-x-plus-p',
  'key-x-plus-p',
  'uncompressed-signature',
  'signature-infinity-flag',
  'signature-at-infinity',
  'key-at-infinity',
  'signature-off-subgroup',
  'signature-plus-torsion',
  'key-off-subgroup',
  'signature-truncated',
  'signature-extended',
  'random-signature',
  'uncompressed-key',
] as const;

/** The verdict every correct verifier reaches, where the mutation decides it. */
const EXPECTED: Partial<Record<Mutation, boolean>> = {
  none: true,
  'other-key': false,
  'wrong-dst': false,
  'negated-signature': false,
  'signature-compression-flag-cleared': false,
  // noble reduces x modulo p, and reads uncompressed points too: the same point, so the same verdict.
  'signature-x-plus-p': true,
  'key-x-plus-p': true,
  'uncompressed-signature': true,
  'signature-infinity-flag': false,
  'signature-at-infinity': false,
  'key-at-infinity': false,
  'signature-off-subgroup': false,
  // S + T with T of order 3 still satisfies the pairing equation: only the subgroup check refuses it.
  'signature-plus-torsion': false,
  'key-off-subgroup': false,
  'signature-truncated': false,
  'signature-extended': false,
  'uncompressed-key': true,
};

function mutate(mutation: Mutation, key: Keypair, other: Keypair, message: Uint8Array, bit: number, seed: bigint) {
  const signature = bls12_381.signShortSignature(message, key.secretKey);
  const base = { publicKey: key.publicKey, signature, message };
  switch (mutation) {
    case 'none':
      return base;
    case 'flip-signature-bit':
      return { ...base, signature: flipBit(signature, bit) };
    case 'flip-message-bit':
      return { ...base, message: flipBit(message, bit) };
    case 'flip-key-bit':
      return { ...base, publicKey: flipBit(key.publicKey, bit) };
    case 'other-key':
      return { ...base, publicKey: other.publicKey };
    case 'wrong-dst':
      return { ...base, signature: bls12_381.signShortSignature(message, key.secretKey, { DST: IC_BLS_DST.replace('_NUL_', '_POP_') }) };
    case 'negated-signature':
      return { ...base, signature: flipBit(signature, 5) };
    case 'signature-compression-flag-cleared':
      return { ...base, signature: flipBit(signature, 7) };
    case 'signature-x-plus-p':
      // About one signature in four has an x small enough for a second encoding: vary the message until one does.
      for (let extra = 0; ; extra++) {
        const varied = Uint8Array.from([...message, extra]);
        const encoded = plusP(bls12_381.signShortSignature(varied, key.secretKey), 0);
        if (encoded !== undefined) return { ...base, signature: encoded, message: varied };
      }
    case 'key-x-plus-p': {
      const [offset, plusPKey] = seed % 2n === 0n ? [0, keyWithSmallX1] : [48, keyWithSmallX0];
      return { publicKey: plusP(plusPKey.publicKey, offset)!, signature: bls12_381.signShortSignature(message, plusPKey.secretKey), message };
    }
    case 'uncompressed-signature':
      return { ...base, signature: bls12_381.G1.ProjectivePoint.fromHex(signature).toRawBytes(false) };
    case 'signature-infinity-flag':
      return { ...base, signature: flipBit(signature, 6) };
    case 'signature-at-infinity':
      return { ...base, signature: Uint8Array.from({ length: 48 }, (_, i) => (i === 0 ? 0xc0 : 0)) };
    case 'key-at-infinity':
      return { ...base, publicKey: Uint8Array.from({ length: 96 }, (_, i) => (i === 0 ? 0xc0 : 0)) };
    case 'signature-off-subgroup':
      return { ...base, signature: g1OffSubgroup(seed) };
    case 'signature-plus-torsion': {
      const { x, y } = bls12_381.G1.ProjectivePoint.fromHex(signature).add(bls12_381.G1.ProjectivePoint.fromAffine({ x: 0n, y: 2n })).toAffine();
      const out = toBytes(x, 48);
      out[0] = out[0]! | 0x80 | (y * 2n > P ? 0x20 : 0);
      return { ...base, signature: out };
    }
    case 'key-off-subgroup':
      return { ...base, publicKey: g2OffSubgroup(seed) };
    case 'signature-truncated':
      return { ...base, signature: signature.slice(0, 47) };
    case 'signature-extended':
      return { ...base, signature: Uint8Array.from([...signature, 0]) };
    case 'random-signature':
      return { ...base, signature: toBytes(seed, 48) };
    case 'uncompressed-key':
      return { ...base, publicKey: bls12_381.G2.ProjectivePoint.fromHex(key.publicKey).toRawBytes(false) };
  }
}

describe('McLBlsVerifier', () => {
  it('verifies the IC scheme (signature in G1, key in G2, the NUL domain separator)', () => {
    const message = new TextEncoder().encode('\x0Dic-state-root'.padEnd(46, '.'));
    const { secretKey, publicKey } = keys[0]!;
    expect(wasm.kind).toBe('wasm');
    expect(wasm.verify(publicKey, bls12_381.signShortSignature(message, secretKey), message)).toBe(true);
    expect(wasm.verify(publicKey, bls12_381.signShortSignature(message, keys[1]!.secretKey), message)).toBe(false);
  });

  it('verifies with keys whose lines were evicted (at most maxPreparedKeys are kept)', async () => {
    const small = await McLBlsVerifier.create({ maxPreparedKeys: 1 });
    const message = new Uint8Array(46).fill(7);
    for (const key of [keys[0]!, keys[1]!, keys[0]!, keys[2]!, keys[1]!]) {
      expect(small.verify(key.publicKey, bls12_381.signShortSignature(message, key.secretKey), message)).toBe(true);
      expect(small.verify(key.publicKey, bls12_381.signShortSignature(message, keys[3]!.secretKey), message)).toBe(false);
    }
  });

  it('agrees with @noble/curves on every valid and mutated signature', () => {
    // Each mutation has runs of its own, so every one is exercised whatever the seed (drawn among all of them,
    // 180 runs missed one in about 1 seed of 300).
    for (const mutation of MUTATIONS) {
      fc.assert(
        fc.property(
          fc.nat({ max: keys.length - 1 }),
          fc.uint8Array({ minLength: 1, maxLength: 80 }),
          fc.nat({ max: 767 }),
          fc.bigInt({ min: 1n, max: (1n << 381n) - 1n }),
          (keyIndex, message, bit, seed) => {
            const key = keys[keyIndex]!;
            const other = keys[(keyIndex + 1) % keys.length]!;
            const input = mutate(mutation, key, other, message, bit, seed);
            const noble = accepts(nobleBlsVerifier, input.publicKey, input.signature, input.message);
            const fast = accepts(wasm, input.publicKey, input.signature, input.message);
            expect({ mutation, fast }).toEqual({ mutation, fast: noble });
            const expected = EXPECTED[mutation];
            if (expected !== undefined) expect({ mutation, verdict: fast }).toEqual({ mutation, verdict: expected });
          },
        ),
        { numRuns: 9 },
      );
    }
  }, 120_000);
});
