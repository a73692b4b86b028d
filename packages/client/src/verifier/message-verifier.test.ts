import { IDL } from '@dfinity/candid';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { Principal } from '@dfinity/principal';
import { CERTIFIED_LABEL, CloseCode, encodeHashTree, ErrorCode, labeled, leaf, reconstruct, type CanisterMessageFrame, type ClientKey } from 'ic-ws-protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createTestSubnet,
  FakeCanisterOutbox,
  makeCertificate,
  makeDelegatedCertificate,
  type TestSubnet,
} from '../../tests/support/fake-canister';
import { IcWsClientError } from '../client-error';
import { CertificateVerifier } from './certificate-verifier';
import { MessageVerifier } from './message-verifier';

const canisterId = Principal.fromText('bkyz2-fmaaa-aaaaa-qaaaq-cai');
const gateway = Ed25519KeyIdentity.generate().getPrincipal();
const otherGateway = Ed25519KeyIdentity.generate().getPrincipal();
const client = Ed25519KeyIdentity.generate().getPrincipal();
const clientKey: ClientKey = { client_principal: client, client_nonce: 42n };
const Chat = IDL.Text;

let subnet: TestSubnet;
let otherSubnet: TestSubnet;
beforeAll(() => {
  subnet = createTestSubnet();
  otherSubnet = createTestSubnet();
});

function setup(options: { now?: () => number } = {}) {
  const certificates = new CertificateVerifier({ rootKey: subnet.rootKey, canisterId, maxAgeMs: 5 * 60_000, ...options });
  const verifier = new MessageVerifier({ certificates, clientKey, gatewayPrincipal: gateway });
  const outbox = new FakeCanisterOutbox(subnet, canisterId, gateway);
  return { certificates, verifier, outbox };
}

/** Open message plus `count` chat messages, all for `clientKey`, in one batch. */
function conversation(outbox: FakeCanisterOutbox, count: number): CanisterMessageFrame[] {
  const keys = [outbox.queueService(clientKey, 1n, { OpenMessage: { client_key: clientKey } })];
  for (let i = 0; i < count; i++) keys.push(outbox.queueApp(clientKey, BigInt(i + 2), Chat, `hello ${i}`));
  return outbox.batch(keys);
}

async function rejection(promise: Promise<unknown>): Promise<IcWsClientError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(IcWsClientError);
  return error as IcWsClientError;
}

describe('MessageVerifier', () => {
  it('accepts a certified batch in order and verifies its certificate once', async () => {
    const { verifier, outbox, certificates } = setup();
    const frames = conversation(outbox, 4);
    const sequence: bigint[] = [];
    for (const frame of frames) sequence.push((await verifier.verify(frame)).sequence_num);
    expect(sequence).toEqual([1n, 2n, 3n, 4n, 5n]);
    expect(verifier.lastSequenceNum).toBe(5n);
    expect(certificates.verifications).toBe(1);
  });

  it('verifies one certificate per batch across batches', async () => {
    const { verifier, outbox, certificates } = setup();
    for (const frame of conversation(outbox, 1)) await verifier.verify(frame);
    const next = outbox.batch([outbox.queueApp(clientKey, 3n, Chat, 'later')]);
    expect((await verifier.verify(next[0]!)).sequence_num).toBe(3n);
    expect(certificates.verifications).toBe(2);
  });

  it('rejects content with one flipped bit (WITNESS_INVALID)', async () => {
    const { verifier, outbox } = setup();
    const [open] = conversation(outbox, 0);
    const content = open!.content.slice();
    content[content.length - 1]! ^= 0x01;
    const error = await rejection(verifier.verify({ ...open!, content }));
    expect(error.code).toBe(ErrorCode.WitnessInvalid);
    expect(error.closeCode).toBe(CloseCode.WitnessInvalid);
    // The failure left no trace: the genuine message still verifies as the first one.
    expect((await verifier.verify(open!)).sequence_num).toBe(1n);
  });

  it('rejects a certified message meant for another client key (WRONG_CLIENT_KEY)', async () => {
    const { verifier, outbox } = setup();
    const stranger: ClientKey = { client_principal: client, client_nonce: 43n };
    const [frame] = outbox.batch([outbox.queueService(stranger, 1n, { OpenMessage: { client_key: stranger } })]);
    const error = await rejection(verifier.verify(frame!));
    expect(error.code).toBe(ErrorCode.WrongClientKey);
    expect(error.closeCode).toBe(CloseCode.WrongClientKey);
  });

  it('rejects a message keyed for another gateway (WRONG_GATEWAY)', async () => {
    const { verifier } = setup();
    const elsewhere = new FakeCanisterOutbox(subnet, canisterId, otherGateway);
    const [frame] = elsewhere.batch([elsewhere.queueService(clientKey, 1n, { OpenMessage: { client_key: clientKey } })]);
    const error = await rejection(verifier.verify(frame!));
    expect(error.code).toBe(ErrorCode.WrongGateway);
    expect(error.closeCode).toBe(CloseCode.WrongGateway);
  });

  it('rejects reordered messages (WRONG_SEQUENCE_NUMBER)', async () => {
    const { verifier, outbox } = setup();
    const [open, first, second] = conversation(outbox, 2);
    await verifier.verify(open!);
    const error = await rejection(verifier.verify(second!));
    expect(error.code).toBe(ErrorCode.WrongSequenceNumber);
    expect(error.closeCode).toBe(CloseCode.WrongSequenceNumber);
    // In order, the same frames are fine.
    await verifier.verify(first!);
    expect((await verifier.verify(second!)).sequence_num).toBe(3n);
  });

  it('rejects a replayed message (NONCE_NOT_GROWING)', async () => {
    const { verifier, outbox } = setup();
    const [open, first] = conversation(outbox, 1);
    await verifier.verify(open!);
    await verifier.verify(first!);
    const error = await rejection(verifier.verify(first!));
    expect(error.code).toBe(ErrorCode.NonceNotGrowing);
    expect(error.closeCode).toBe(CloseCode.NonceNotGrowing);
  });

  it('rejects a message after a dropped one (WRONG_SEQUENCE_NUMBER)', async () => {
    const { verifier, outbox } = setup();
    const [open, , third] = conversation(outbox, 2);
    await verifier.verify(open!);
    const error = await rejection(verifier.verify(third!));
    expect(error.code).toBe(ErrorCode.WrongSequenceNumber);
  });

  it('rejects a certificate signed by another root key (CERTIFICATE_INVALID)', async () => {
    const { verifier, outbox } = setup();
    const [frame] = outbox.batch([outbox.queueService(clientKey, 1n, { OpenMessage: { client_key: clientKey } })], {
      subnet: otherSubnet,
    });
    const error = await rejection(verifier.verify(frame!));
    expect(error.code).toBe(ErrorCode.CertificateInvalid);
    expect(error.closeCode).toBe(CloseCode.CertificateInvalid);
  });

  it('rejects an old certificate (CERTIFICATE_INVALID)', async () => {
    const { verifier, outbox } = setup();
    const key = outbox.queueService(clientKey, 1n, { OpenMessage: { client_key: clientKey } });
    const [frame] = outbox.batch([key], { timeMs: Date.now() - 6 * 60_000 });
    const error = await rejection(verifier.verify(frame!));
    expect(error.code).toBe(ErrorCode.CertificateInvalid);
  });

  it('stops trusting a cached certificate once it is too old', async () => {
    let now = Date.now();
    const { verifier, outbox, certificates } = setup({ now: () => now });
    const [open, first] = conversation(outbox, 1);
    await verifier.verify(open!);
    now += 6 * 60_000;
    const error = await rejection(verifier.verify(first!));
    expect(error.code).toBe(ErrorCode.CertificateInvalid);
    expect(certificates.verifications).toBe(1);
  });

  it('accepts a certificate from a subnet the root key delegated to, for a canister in its range', async () => {
    const { verifier, outbox } = setup();
    const [open] = conversation(outbox, 0);
    const subnetId = Ed25519KeyIdentity.generate().getPrincipal();
    const range = [Principal.fromText('aaaaa-aa'), Principal.fromUint8Array(Uint8Array.of(255, 255, 255, 255, 255, 255, 255, 255, 1, 1))] as const;
    const cert = makeDelegatedCertificate(subnet, otherSubnet, subnetId, [range], canisterId, outbox.certifiedData());
    expect((await verifier.verify({ ...open!, cert })).sequence_num).toBe(1n);
  });

  it('rejects a delegated certificate for a canister outside the subnet range (CERTIFICATE_INVALID)', async () => {
    const { verifier, outbox } = setup();
    const [open] = conversation(outbox, 0);
    const subnetId = Ed25519KeyIdentity.generate().getPrincipal();
    const range = [Principal.fromText('aaaaa-aa'), Principal.fromText('aaaaa-aa')] as const;
    const cert = makeDelegatedCertificate(subnet, otherSubnet, subnetId, [range], canisterId, outbox.certifiedData());
    const error = await rejection(verifier.verify({ ...open!, cert }));
    expect(error.code).toBe(ErrorCode.CertificateInvalid);
  });

  it('rejects a forged witness that proves another content hash (WITNESS_INVALID)', async () => {
    const { verifier, outbox } = setup();
    const [open] = conversation(outbox, 0);
    // A witness that claims another hash for the key: its root no longer matches the certified data.
    const forged = encodeHashTree(labeled(CERTIFIED_LABEL, labeled(open!.key, leaf(new Uint8Array(32)))));
    const error = await rejection(verifier.verify({ ...open!, tree: forged }));
    expect(error.code).toBe(ErrorCode.WitnessInvalid);
  });

  it('rejects a consistent witness and certificate over forged data signed by the wrong key', async () => {
    const { verifier, outbox } = setup();
    const [open] = conversation(outbox, 0);
    const fakeTree = labeled(CERTIFIED_LABEL, labeled(open!.key, leaf(new Uint8Array(32))));
    const cert = makeCertificate(otherSubnet, canisterId, reconstruct(fakeTree));
    const error = await rejection(verifier.verify({ ...open!, cert, tree: encodeHashTree(fakeTree) }));
    expect(error.code).toBe(ErrorCode.CertificateInvalid);
  });

  it('rejects a witness that does not reveal the message key (WITNESS_INVALID)', async () => {
    const { verifier, outbox } = setup();
    const [open, first] = conversation(outbox, 1);
    const witnessOfOther = outbox.batch([first!.key])[0]!.tree;
    const error = await rejection(verifier.verify({ ...open!, tree: witnessOfOther }));
    expect(error.code).toBe(ErrorCode.WitnessInvalid);
  });

  it('rejects certified content that is not a WebsocketMessage (INVALID_CANISTER_MESSAGE)', async () => {
    const { verifier, outbox } = setup();
    const [frame] = outbox.batch([outbox.queueBytes(Uint8Array.of(1, 2, 3))]);
    const error = await rejection(verifier.verify(frame!));
    expect(error.code).toBe(ErrorCode.InvalidCanisterMessage);
    expect(error.closeCode).toBe(CloseCode.InvalidCanisterMessage);
  });

  it('rejects a malformed key before any certificate work', async () => {
    const { verifier, outbox, certificates } = setup();
    const [open] = conversation(outbox, 0);
    const error = await rejection(verifier.verify({ ...open!, key: 'not-a-key' }));
    expect(error.code).toBe(ErrorCode.InvalidCanisterMessage);
    expect(certificates.verifications).toBe(0);
  });
});
