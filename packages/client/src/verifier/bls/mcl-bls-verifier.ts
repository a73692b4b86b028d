/// <reference path="./mcl-module.d.ts" />
import type { McLModule } from 'mcl-wasm/dist/mcl_c.js';
import { nobleBlsVerifier, type BlsVerifier } from './bls-verifier';
import { canonicalCompressedPoint, G1_COMPRESSED_LENGTH, G2_COMPRESSED_LENGTH } from './point-encoding';

/** mcl's curve id and compile-time check value for BLS12-381 (`MCLBN_FR_UNIT_SIZE * 10 + MCLBN_FP_UNIT_SIZE`). */
const MCL_BLS12_381 = 5;
const MCL_COMPILED_TIME_VAR = 4 * 10 + 6;
/** mcl's `MCL_MAP_TO_MODE_HASH_TO_CURVE`: RFC 9380 hash-to-curve (SSWU, XMD:SHA-256). */
const MCL_MAP_TO_MODE_HASH_TO_CURVE = 5;
/** Sizes of mcl's structs for 384-bit fields: G1 is 3 Fp, G2 is 6 Fp, GT is 12 Fp, of 48 bytes each. */
export const G1_SIZE = 144;
export const G2_SIZE = 288;
export const GT_SIZE = 576;

/** The IC's domain separator for BLS signatures in G1 (ic-crypto's `bls12_381` "NUL" scheme). */
export const IC_BLS_DST = 'BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_';

/** The generator of G2, compressed (the point every public key is a multiple of). */
const G2_GENERATOR =
  '93e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e' +
  '024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8';

/** The generator of G1, compressed: a valid point that is no signature of anything under the G2 generator. */
const G1_GENERATOR =
  '97f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb';

/** Throw-away verifications at load time (see `#warmUp`). */
const WARM_UP_VERIFICATIONS = 4;

/** Options of {@link McLBlsVerifier}. */
export interface McLBlsVerifierOptions {
  /**
   * How many distinct public keys keep their precomputed Miller-loop lines (about 20 kB each): the root key
   * and the subnet keys of delegations.
   * @default 8
   */
  maxPreparedKeys?: number;
}

/**
 * BLS verification with mcl compiled to WebAssembly: `e(S, -G2) * e(H(m), PK) == 1`, one Miller loop over two
 * pairs and one final exponentiation. Both G2 points are fixed for a client (the generator, and the root or
 * subnet key), so their Miller-loop lines are computed once (`mclBn_precomputeG2`) and only the G1 side (the
 * signature and the hashed message) changes per certificate. Decoding checks that every point is on the curve
 * and in the prime-order subgroup; points at infinity are refused.
 */
export class McLBlsVerifier implements BlsVerifier {
  readonly kind = 'wasm';
  readonly #mcl: McLModule;
  readonly #maxPreparedKeys: number;
  /** Lines of each prepared key, by its hex, oldest first. */
  readonly #preparedKeys = new Map<string, number>();
  readonly #negatedGenerator: number;
  // Scratch structs, allocated once: verification is synchronous, so calls never overlap.
  readonly #signature: number;
  readonly #hash: number;
  readonly #pairing: number;
  readonly #g2: number;
  readonly #linesSize: number;

  private constructor(mcl: McLModule, options: McLBlsVerifierOptions) {
    this.#mcl = mcl;
    this.#maxPreparedKeys = Math.max(1, options.maxPreparedKeys ?? 8);
    this.#signature = mcl._malloc(G1_SIZE);
    this.#hash = mcl._malloc(G1_SIZE);
    this.#pairing = mcl._malloc(GT_SIZE);
    this.#g2 = mcl._malloc(G2_SIZE);
    this.#linesSize = mcl._mclBn_getUint64NumToPrecompute() * 8;
    const generator = this.#decodeG2(hexToBytes(G2_GENERATOR));
    if (!generator) throw new Error('mcl could not decode the G2 generator');
    mcl._mclBnG2_neg(this.#g2, this.#g2);
    this.#negatedGenerator = mcl._malloc(this.#linesSize);
    mcl._mclBn_precomputeG2(this.#negatedGenerator, this.#g2);
  }

  /**
   * Instantiates mcl's WebAssembly (a private instance) and configures it for the IC's scheme.
   * @throws Error when WebAssembly is unavailable or refuses to compile (for example under a CSP without
   *   `'wasm-unsafe-eval'`), or mcl does not initialise.
   */
  static async create(options: McLBlsVerifierOptions = {}): Promise<McLBlsVerifier> {
    const verifier = new McLBlsVerifier(await instantiateIcMcl(), options);
    verifier.#warmUp();
    return verifier;
  }

  /**
   * A few throw-away verifications while the socket connects, so that the engine has compiled the hot code
   * with its optimising tier before the first certificate arrives (the first calls run 2-3x slower).
   */
  #warmUp(): void {
    const generator = hexToBytes(G2_GENERATOR);
    const point = hexToBytes(G1_GENERATOR);
    const message = new Uint8Array(46);
    for (let i = 0; i < WARM_UP_VERIFICATIONS; i++) {
      message[0] = i;
      if (this.verify(generator, point, message)) throw new Error('mcl verified a signature it must refuse');
    }
    // The generator's lines were only needed for warming up.
    this.#forget(generator);
  }

  verify(publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array): boolean {
    // agent-js hands over 96-byte keys and the certificate's signature as it is; noble also reads uncompressed
    // points. Such inputs never come from the IC, so they go to noble, which keeps the verdicts identical.
    if (publicKey.length !== G2_COMPRESSED_LENGTH || signature.length !== G1_COMPRESSED_LENGTH) {
      return nobleBlsVerifier.verify(publicKey, signature, message);
    }
    const lines = this.#prepare(publicKey);
    if (lines === undefined) return false;
    const canonical = canonicalCompressedPoint(signature);
    if (canonical === undefined) return false;
    const mcl = this.#mcl;
    if (this.#withBytes(canonical, (at) => mcl._mclBnG1_deserialize(this.#signature, at, G1_COMPRESSED_LENGTH)) !== G1_COMPRESSED_LENGTH) return false;
    if (mcl._mclBnG1_isZero(this.#signature) !== 0) return false;
    if (this.#withBytes(message, (at) => mcl._mclBnG1_hashAndMapTo(this.#hash, at, message.length)) !== 0) return false;
    mcl._mclBn_precomputedMillerLoop2(this.#pairing, this.#signature, this.#negatedGenerator, this.#hash, lines);
    mcl._mclBn_finalExp(this.#pairing, this.#pairing);
    return mcl._mclBnGT_isOne(this.#pairing) === 1;
  }

  /** Computes the Miller-loop lines of `publicKey` now (the root key, while the socket connects). */
  prepare(publicKey: Uint8Array): void {
    if (publicKey.length === G2_COMPRESSED_LENGTH) this.#prepare(publicKey);
  }

  /** The Miller-loop lines of `publicKey`, computed on first use; `undefined` for a key that is not a valid G2 point. */
  #prepare(publicKey: Uint8Array): number | undefined {
    const id = bytesToHex(publicKey);
    const known = this.#preparedKeys.get(id);
    if (known !== undefined) return known;
    const canonical = canonicalCompressedPoint(publicKey);
    if (canonical === undefined || !this.#decodeG2(canonical)) return undefined;
    const lines = this.#mcl._malloc(this.#linesSize);
    this.#mcl._mclBn_precomputeG2(lines, this.#g2);
    this.#preparedKeys.set(id, lines);
    if (this.#preparedKeys.size > this.#maxPreparedKeys) this.#forget(this.#preparedKeys.keys().next().value as string);
    return lines;
  }

  #forget(publicKey: Uint8Array | string): void {
    const id = typeof publicKey === 'string' ? publicKey : bytesToHex(publicKey);
    const lines = this.#preparedKeys.get(id);
    if (lines === undefined) return;
    this.#preparedKeys.delete(id);
    this.#mcl._free(lines);
  }

  /** Decodes a compressed G2 point into the scratch G2 (on the curve, in the subgroup, not infinity). */
  #decodeG2(bytes: Uint8Array): boolean {
    const read = this.#withBytes(bytes, (at) => this.#mcl._mclBnG2_deserialize(this.#g2, at, bytes.length));
    return read === G2_COMPRESSED_LENGTH && this.#mcl._mclBnG2_isZero(this.#g2) === 0;
  }

  /** Copies `bytes` into wasm memory for the duration of `use`. */
  #withBytes(bytes: Uint8Array, use: (pointer: number) => number): number {
    const pointer = this.#mcl._malloc(Math.max(1, bytes.length));
    try {
      // A fresh view each time: a malloc may have grown (and so replaced) the memory's buffer.
      new Uint8Array(this.#mcl.wasmMemory.buffer, pointer, bytes.length).set(bytes);
      return use(pointer);
    } finally {
      this.#mcl._free(pointer);
    }
  }
}

/**
 * A private instance of mcl's WebAssembly configured for the IC's scheme: BLS12-381, the zcash/IETF point
 * encoding (as the IC and noble use), RFC 9380 hashing to G1 with the IC's domain separator, subgroup checks
 * when points are decoded. `McLBlsVerifier` verifies with it; bench/certificate-stages.bench.ts times its steps.
 * @throws Error when WebAssembly is unavailable or refuses to compile, or mcl refuses a setting.
 */
export async function instantiateIcMcl(): Promise<McLModule> {
  const { default: createModule } = await import('mcl-wasm/dist/mcl_c.js');
  const mcl = await createModule({ cryptoGetRandomValues: (buffer) => crypto.getRandomValues(buffer) });
  const status = mcl._mclBn_init(MCL_BLS12_381, MCL_COMPILED_TIME_VAR);
  if (status !== 0) throw new Error(`mcl did not initialise BLS12-381 (status ${status})`);
  mcl._mclBn_setETHserialization(1);
  if (mcl._mclBn_setMapToMode(MCL_MAP_TO_MODE_HASH_TO_CURVE) !== 0) throw new Error('mcl refused the hash-to-curve mode');
  mcl._mclBn_verifyOrderG1(1);
  mcl._mclBn_verifyOrderG2(1);
  const dst = new TextEncoder().encode(IC_BLS_DST);
  const dstPointer = mcl._malloc(dst.length);
  new Uint8Array(mcl.wasmMemory.buffer, dstPointer, dst.length).set(dst);
  const dstStatus = mcl._mclBnG1_setDst(dstPointer, dst.length);
  mcl._free(dstPointer);
  if (dstStatus !== 0) throw new Error('mcl refused the domain separator');
  return mcl;
}

function hexToBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}

function bytesToHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}
