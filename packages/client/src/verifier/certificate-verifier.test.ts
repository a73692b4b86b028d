import { Certificate } from '@dfinity/agent';
import { Principal } from '@dfinity/principal';
import { CloseCode, ErrorCode, ProtocolError } from 'ic-ws-protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestSubnet, makeCertificate, type TestSubnet } from '../../tests/support/fake-canister';
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
