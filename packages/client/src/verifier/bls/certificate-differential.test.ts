/**
 * Whole certificates through the client's `CertificateVerifier`, once with the WebAssembly verifier and once
 * with @noble/curves: random certificates (root-signed and delegated), valid and then mutated (a flipped bit
 * anywhere in the CBOR, a signature from another key or with another domain separator, a delegation from
 * another root), must get the same verdict and, when refused, the same error code. Also: what the
 * verified-signature memo saves on delegated certificates, and that it never remembers a refusal.
 */
import { Cbor } from '@dfinity/agent';
import { Principal } from '@dfinity/principal';
import fc from 'fast-check';
import { ErrorCode, reconstruct, type HashTree } from 'ic-ws-protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createTestSubnet,
  makeCertificate,
  makeCertificateWithDelegation,
  makeDelegation,
  type TestDelegation,
  type TestSubnet,
} from '../../../tests/support/fake-canister';
import { bls12_381 } from '../../../tests/support/noble';
import { IcWsClientError } from '../../client-error';
import { CertificateVerifier } from '../certificate-verifier';
import { nobleBlsVerifier, type BlsVerifier } from './bls-verifier';
import { McLBlsVerifier } from './mcl-bls-verifier';

const canisterId = Principal.fromText('bkyz2-fmaaa-aaaaa-qaaaq-cai');
let wasm: McLBlsVerifier;
let root: TestSubnet;
let otherRoot: TestSubnet;
let subnet: TestSubnet;
let delegation: TestDelegation;
let foreignDelegation: TestDelegation;

beforeAll(async () => {
  wasm = await McLBlsVerifier.create();
  root = createTestSubnet();
  otherRoot = createTestSubnet();
  subnet = createTestSubnet();
  const subnetId = Principal.selfAuthenticating(subnet.rootKey);
  delegation = makeDelegation(root, subnet, subnetId, [[canisterId, canisterId]]);
  foreignDelegation = makeDelegation(otherRoot, subnet, subnetId, [[canisterId, canisterId]]);
});

function verifierWith(bls: BlsVerifier): CertificateVerifier {
  return new CertificateVerifier({ rootKey: root.rootKey, canisterId, maxAgeMs: 5 * 60_000, bls });
}

/** `accepted:<certified data hex>` or `refused:<error code>`. */
async function verdict(bls: BlsVerifier, cert: Uint8Array): Promise<string> {
  try {
    const data = await verifierWith(bls).certifiedData(cert);
    return `accepted:${Buffer.from(data).toString('hex')}`;
  } catch (error) {
    expect(error).toBeInstanceOf(IcWsClientError);
    return `refused:${(error as IcWsClientError).code}`;
  }
}

/** The certificate re-signed over its own tree with `sign` (another key, another domain separator). */
function resigned(cert: Uint8Array, sign: (message: Uint8Array) => Uint8Array): Uint8Array {
  const decoded = Cbor.decode<{ tree: HashTree; signature: Uint8Array; delegation?: TestDelegation }>(cert);
  const message = Uint8Array.from([...new TextEncoder().encode('\x0Dic-state-root'), ...reconstruct(decoded.tree)]);
  return Cbor.encode({ ...decoded, signature: sign(message) });
}

const MUTATIONS = ['none', 'flip-bit', 'other-key', 'wrong-dst', 'foreign-delegation'] as const;

describe('CertificateVerifier with the WebAssembly verifier', () => {
  it('reaches the verdict of @noble/curves on random valid and mutated certificates', async () => {
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...MUTATIONS),
        fc.boolean(),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.nat(),
        async (mutation, delegated, certifiedData, bit) => {
          const signer = delegated ? subnet : root;
          let cert = delegated ? makeCertificateWithDelegation(subnet, delegation, canisterId, certifiedData) : makeCertificate(root, canisterId, certifiedData);
          if (mutation === 'flip-bit') {
            cert = cert.slice();
            cert[Math.floor(bit / 8) % cert.length]! ^= 1 << bit % 8;
          } else if (mutation === 'other-key') {
            cert = resigned(cert, (message) => bls12_381.signShortSignature(message, otherRoot.secretKey));
          } else if (mutation === 'wrong-dst') {
            cert = resigned(cert, (message) => bls12_381.signShortSignature(message, signer.secretKey, { DST: 'BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_POP_' }));
          } else if (mutation === 'foreign-delegation') {
            cert = makeCertificateWithDelegation(subnet, foreignDelegation, canisterId, certifiedData);
          }
          const [fast, noble] = await Promise.all([verdict(wasm, cert), verdict(nobleBlsVerifier, cert)]);
          expect({ mutation, fast }).toEqual({ mutation, fast: noble });
          if (mutation === 'none') expect(fast).toBe(`accepted:${Buffer.from(certifiedData).toString('hex')}`);
          if (mutation === 'other-key' || mutation === 'wrong-dst' || mutation === 'foreign-delegation') expect(fast).toBe(`refused:${ErrorCode.CertificateInvalid}`);
          seen.add(fast.split(':')[0]!);
        },
      ),
      { numRuns: 60 },
    );
    expect([...seen].sort()).toEqual(['accepted', 'refused']);
  }, 120_000);

  it('verifies a delegation once and then only each certificate’s own signature', async () => {
    const verifier = verifierWith(wasm);
    for (let i = 0; i < 3; i++) await verifier.certifiedData(makeCertificateWithDelegation(subnet, delegation, canisterId, new Uint8Array(32).fill(i)));
    // 3 certificates: the delegation's signature once, each certificate's own once.
    expect(verifier.verifications).toBe(3);
    expect(verifier.bls.verifications).toBe(4);
    // Without the memo (as agent-js alone does), each certificate costs two signature checks.
    const unremembering = new CertificateVerifier({ rootKey: root.rootKey, canisterId, maxAgeMs: 5 * 60_000, bls: wasm, signatureMemoSize: 0 });
    for (let i = 0; i < 3; i++) await unremembering.certifiedData(makeCertificateWithDelegation(subnet, delegation, canisterId, new Uint8Array(32).fill(i)));
    expect(unremembering.bls.verifications).toBe(6);
  });

  it('remembers no refusal: a forged certificate is refused every time it comes', async () => {
    const verifier = verifierWith(wasm);
    const forged = resigned(makeCertificate(root, canisterId, new Uint8Array(32)), (message) => bls12_381.signShortSignature(message, otherRoot.secretKey));
    for (let i = 0; i < 2; i++) {
      await expect(verifier.certifiedData(forged)).rejects.toMatchObject({ code: ErrorCode.CertificateInvalid });
    }
    expect(verifier.bls.verifications).toBe(2);
  });
});
