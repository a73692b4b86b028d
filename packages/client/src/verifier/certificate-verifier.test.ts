import { Cbor, Certificate } from '@dfinity/agent';
import { Principal } from '@dfinity/principal';
import { CloseCode, ErrorCode, ProtocolError } from 'ic-ws-protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createTestSubnet,
  makeCertificate,
  makeCertificateWithDelegation,
  makeDelegation,
  type DelegationShape,
  type TestSubnet,
} from '../../tests/support/fake-canister';
import { respellSignatureLength } from '../../tests/support/frame-forgery';
import { IcWsClientError } from '../client-error';
import { CertificateVerifier } from './certificate-verifier';

const canisterId = Principal.fromText('bkyz2-fmaaa-aaaaa-qaaaq-cai');
const certifiedData = new Uint8Array(32).fill(9);
let subnet: TestSubnet;

beforeAll(() => {
  subnet = createTestSubnet();
});

describe('CertificateVerifier strictness', () => {
  it('refuses a genuinely signed certificate whose signature length is not in its shortest form (CERTIFICATE_INVALID)', async () => {
    const genuine = makeCertificate(subnet, canisterId, certifiedData);
    const respelled = respellSignatureLength(genuine);
    // agent-js alone takes it: same values, the BLS signature verifies. Only the strict decoding refuses it.
    await expect(Certificate.create({ certificate: respelled, rootKey: subnet.rootKey, canisterId })).resolves.toBeInstanceOf(Certificate);

    const certificates = new CertificateVerifier({ rootKey: subnet.rootKey, canisterId, maxAgeMs: 5 * 60_000 });
    const error = await certificates.certifiedData(respelled).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(IcWsClientError);
    const refused = error as IcWsClientError;
    expect(refused.code).toBe(ErrorCode.CertificateInvalid);
    expect(refused.closeCode).toBe(CloseCode.CertificateInvalid);
    expect(refused.message).toMatch(/not canonical/);
    expect(refused.cause).toBeInstanceOf(ProtocolError);
    expect((refused.cause as ProtocolError).code).toBe(ErrorCode.CborMalformed);
    // Refused before any BLS work, and not remembered: the genuine spelling still verifies.
    expect(certificates.verifications).toBe(0);
    expect(await certificates.certifiedData(genuine)).toEqual(certifiedData);
    expect(certificates.verifications).toBe(1);
  });
});

describe('CertificateVerifier cache', () => {
  it('verifies a certificate once when its bytes come again in a later poll (a fresh copy, as a new frame holds)', async () => {
    const certificates = new CertificateVerifier({ rootKey: subnet.rootKey, canisterId, maxAgeMs: 5 * 60_000 });
    const cert = makeCertificate(subnet, canisterId, certifiedData);
    // Two messages of one batch while the first verification is still running, then a later poll's copy.
    const [a, b] = await Promise.all([certificates.certifiedData(cert), certificates.certifiedData(cert)]);
    expect(await certificates.certifiedData(cert.slice())).toEqual(certifiedData);
    expect([a, b]).toEqual([certifiedData, certifiedData]);
    expect(certificates.verifications).toBe(1);
    expect(certificates.bls.verifications).toBe(1);
    // A certificate differing in one byte is another certificate: verified (and here refused) on its own.
    const other = cert.slice();
    other[other.length - 1]! ^= 1;
    await expect(certificates.certifiedData(other)).rejects.toMatchObject({ code: ErrorCode.CertificateInvalid });
    expect(certificates.verifications).toBe(2);
  });
});

describe('CertificateVerifier with a subnet delegation in either canister-ranges format', () => {
  const root = () => subnet;
  let appSubnet: TestSubnet;
  const subnetId = Principal.fromText('fscpm-uiaaa-aaaaa-aaaap-yai');
  /** The canister id of index `n`: 8 bytes big-endian, then 0x01 0x01, as the IC allocates them. */
  const canisterOfIndex = (n: bigint) => {
    const bytes = new Uint8Array(10);
    new DataView(bytes.buffer).setBigUint64(0, n);
    bytes.set([1, 1], 8);
    return Principal.fromUint8Array(bytes);
  };
  /** Two shards; the canister (index 0x8000_0000_0010_0001) is in the first one. */
  const ranges = [
    [canisterOfIndex(0x8000_0000_0010_0000n), canisterOfIndex(0x8000_0000_001f_ffffn)],
    [canisterOfIndex(0x8000_0000_0020_0000n), canisterOfIndex(0x8000_0000_002f_ffffn)],
  ] as const;
  const inSecondShard = canisterOfIndex(0x8000_0000_0020_0005n);

  beforeAll(() => {
    appSubnet = createTestSubnet();
  });

  const verifier = () => new CertificateVerifier({ rootKey: root().rootKey, canisterId, maxAgeMs: 5 * 60_000 });
  const delegated = (shape: DelegationShape, options: { timeMs?: number; delegationTimeMs?: number; id?: Principal } = {}) =>
    makeCertificateWithDelegation(
      appSubnet,
      makeDelegation(root(), appSubnet, subnetId, ranges, options.delegationTimeMs ?? options.timeMs ?? Date.now(), shape),
      options.id ?? canisterId,
      certifiedData,
      options.timeMs,
    );
  async function refusal(cert: Uint8Array, certificates = verifier()): Promise<IcWsClientError> {
    const error = await certificates.certifiedData(cert).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(IcWsClientError);
    expect((error as IcWsClientError).code).toBe(ErrorCode.CertificateInvalid);
    return error as IcWsClientError;
  }

  it('the test delegations are what they say: agent-js 3.4.3 takes the flat one and refuses the tree one', async () => {
    expect(ranges[0][0].compareTo(canisterId)).toBe('lt');
    expect(ranges[0][1].compareTo(canisterId)).toBe('gt');
    const create = (cert: Uint8Array) => Certificate.create({ certificate: cert, rootKey: root().rootKey, canisterId });
    await expect(create(delegated({ format: 'flat' }))).resolves.toBeInstanceOf(Certificate);
    await expect(create(delegated({ format: 'tree', treeCanister: canisterId }))).rejects.toThrow(/Could not find canister ranges/);
  });

  it('accepts the flat format (unchanged: agent-js checks it all)', async () => {
    const certificates = verifier();
    expect(await certificates.certifiedData(delegated({ format: 'flat' }))).toEqual(certifiedData);
    expect(certificates.bls.verifications).toBe(2);
  });

  it('accepts the tree format with the shard the replica reveals; the delegation signature is verified once', async () => {
    const certificates = verifier();
    expect(await certificates.certifiedData(delegated({ format: 'tree', treeCanister: canisterId }))).toEqual(certifiedData);
    expect(certificates.bls.verifications).toBe(2);
    // A later certificate of the same subnet with the same delegation: one new BLS check, the outer one.
    const delegation = makeDelegation(root(), appSubnet, subnetId, ranges, Date.now() - 60_000, { format: 'tree', treeCanister: canisterId });
    const next = makeCertificateWithDelegation(appSubnet, delegation, canisterId, certifiedData);
    const later = makeCertificateWithDelegation(appSubnet, delegation, canisterId, certifiedData, Date.now() + 1);
    expect(await certificates.certifiedData(next)).toEqual(certifiedData);
    expect(await certificates.certifiedData(later)).toEqual(certifiedData);
    expect(certificates.verifications).toBe(3);
    expect(certificates.bls.verifications).toBe(2 + 2 + 1);
  });

  it('accepts both formats together when they agree (the NNS delegation as issued)', async () => {
    expect(await verifier().certifiedData(delegated({ format: 'both', treeCanister: canisterId }))).toEqual(certifiedData);
  });

  it('refuses a tree-format delegation whose revealed shard does not cover the canister', async () => {
    // Genuine delegation, signed by the root, revealing the second shard (selected for another canister).
    const refused = await refusal(delegated({ format: 'tree', treeCanister: inSecondShard }));
    expect(refused.message).toContain(`the delegation's canister ranges for subnet ${subnetId.toText()} (canister_ranges shards) do not cover canister ${canisterId.toText()}`);
    expect(refused.closeCode).toBe(CloseCode.CertificateInvalid);
  });

  it('refuses a delegation whose ranges are pruned in both formats (no leaf revealed)', async () => {
    const refused = await refusal(delegated({ format: 'none' }));
    expect(refused.message).toMatch(/canister ranges/);
    // The tree format with no shard revealed (labels all above the canister) is no proof either.
    await refusal(delegated({ format: 'tree', treeCanister: Principal.fromText('aaaaa-aa') }));
  });

  it('refuses both formats when the flat leaf disagrees with the revealed shard', async () => {
    const refused = await refusal(delegated({ format: 'both', treeCanister: canisterId, flatRanges: [ranges[1]] }));
    expect(refused.message).toMatch(/disagree/);
  });

  it('refuses a delegation whose certificate carries a delegation of its own', async () => {
    const inner = makeDelegation(root(), appSubnet, subnetId, ranges, Date.now(), { format: 'tree', treeCanister: canisterId });
    const nestedCertificate = Cbor.encode({ ...(Cbor.decode(inner.certificate) as object), delegation: inner });
    const cert = makeCertificateWithDelegation(appSubnet, { subnet_id: inner.subnet_id, certificate: nestedCertificate }, canisterId, certifiedData);
    const refused = await refusal(cert);
    expect(refused.cause).toBeInstanceOf(ProtocolError);
    expect(refused.message).toMatch(/may not carry a delegation/);
  });

  it('refuses a tampered delegation signature, a certificate not signed by the delegated subnet key, a delegation over 30 days old', async () => {
    const delegation = makeDelegation(root(), appSubnet, subnetId, ranges, Date.now(), { format: 'tree', treeCanister: canisterId });
    const decoded = Cbor.decode(delegation.certificate) as { tree: unknown; signature: Uint8Array };
    const tampered = { ...delegation, certificate: Cbor.encode({ ...decoded, signature: decoded.signature.map((b, i) => (i === 5 ? b ^ 1 : b)) }) };
    expect((await refusal(makeCertificateWithDelegation(appSubnet, tampered, canisterId, certifiedData))).message).toMatch(/root key/);
    // The right delegation, but the certificate is signed by the root key instead of the subnet key.
    expect((await refusal(makeCertificateWithDelegation(root(), delegation, canisterId, certifiedData))).message).toMatch(/key of subnet/);
    const old = delegated({ format: 'tree', treeCanister: canisterId }, { delegationTimeMs: Date.now() - 31 * 24 * 3_600_000 });
    expect((await refusal(old)).message).toMatch(/root key/);
  });

  it('checks the age of a tree-format certificate as of a flat one', async () => {
    const refused = await refusal(delegated({ format: 'tree', treeCanister: canisterId }, { timeMs: Date.now() - 6 * 60_000 }));
    expect(refused.message).toMatch(/key of subnet/);
  });
});
