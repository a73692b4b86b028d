import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CanisterStatus,
  Cbor,
  Certificate,
  CertifiedRejectErrorCode,
  lookupResultToBuffer,
  RejectError,
  requestIdOf,
  UncertifiedRejectUpdateErrorCode,
} from '@dfinity/agent';
import { DelegationChain, DelegationIdentity, ECDSAKeyIdentity, Ed25519KeyIdentity } from '@dfinity/identity';
import { IDL } from '@dfinity/candid';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';
import { ingressExpiry, post, Secp256k1TestIdentity, signEnvelope, startTestDevnet, type TestDevnet } from './http-test-support';

let devnet: TestDevnet;

beforeAll(async () => {
  devnet = await startTestDevnet();
});

afterAll(async () => {
  await devnet.server.close();
});

async function rejectOf(promise: Promise<unknown>): Promise<RejectError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RejectError);
  return error as RejectError;
}

describe('IC HTTP interface with the real @dfinity/agent', () => {
  it('serves /api/v2/status with the DER root key, self-described CBOR', async () => {
    const response = await fetch(new URL('/api/v2/status', devnet.server.url));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/cbor');
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect(bytesToHex(bytes.slice(0, 3))).toBe('d9d9f7');
    const status = Cbor.decode<Record<string, unknown>>(bytes);
    expect(status['replica_health_status']).toBe('healthy');
    expect(bytesToHex(status['root_key'] as Uint8Array)).toBe(bytesToHex(devnet.server.rootKey));
    expect(devnet.server.rootKey.length).toBe(133);
    const agent = await devnet.agent();
    expect(bytesToHex(agent.rootKey!)).toBe(bytesToHex(devnet.server.rootKey));
  });

  it('answers anonymous queries with node-signed replies the agent verifies', async () => {
    const actor = await devnet.actor();
    expect(await actor.greet('devnet')).toBe('Hello, devnet!');
    expect((await actor.whoami()).toText()).toBe('2vxsx-fae');
    // The agent fetched the node keys through a certified read_state of `subnet` before trusting the reply.
    expect(devnet.fetched).toContain(`/api/v2/canister/${devnet.env.canisterId.toText()}/read_state`);
  });

  it('runs updates through the synchronous v3 call with a certified reply', async () => {
    const identity = Ed25519KeyIdentity.generate();
    const actor = await devnet.actor(identity);
    const before = await actor.count();
    expect(await actor.increment()).toBe(before + 1n);
    expect(await actor.count()).toBe(before + 1n);
    expect(devnet.fetched).toContain(`/api/v3/canister/${devnet.env.canisterId.toText()}/call`);
    expect((await actor.whoami()).toText()).toBe(identity.getPrincipal().toText());
  });

  it('authenticates ECDSA P-256 (WebCrypto) and secp256k1 senders', async () => {
    for (const identity of [await ECDSAKeyIdentity.generate(), new Secp256k1TestIdentity()]) {
      const actor = await devnet.actor(identity);
      expect((await actor.whoami()).toText()).toBe(identity.getPrincipal().toText());
      expect(typeof (await actor.increment())).toBe('bigint');
    }
  });

  it('authenticates a delegation chain targeting the canister; the sender is the chain root', async () => {
    const root = Ed25519KeyIdentity.generate();
    const session = await ECDSAKeyIdentity.generate();
    const middle = Ed25519KeyIdentity.generate();
    const first = await DelegationChain.create(root, middle.getPublicKey(), new Date(Date.now() + 60_000), {
      targets: [devnet.env.canisterId],
    });
    const chain = await DelegationChain.create(middle, session.getPublicKey(), new Date(Date.now() + 60_000), { previous: first });
    const actor = await devnet.actor(DelegationIdentity.fromDelegation(session, chain));
    expect((await actor.whoami()).toText()).toBe(root.getPrincipal().toText());
    expect(typeof (await actor.increment())).toBe('bigint');
  });

  it('serves certified_data through read_state, verified with Certificate.create', async () => {
    const actor = await devnet.actor(Ed25519KeyIdentity.generate());
    const data = utf8ToBytes('certified by the devnet');
    await actor.set_certified_data(data);
    const agent = await devnet.agent();
    const path = [utf8ToBytes('canister'), devnet.env.canisterId.toUint8Array(), utf8ToBytes('certified_data')];
    const response = await agent.readState(devnet.env.canisterId, { paths: [path] });
    const certificate = await Certificate.create({
      certificate: response.certificate,
      rootKey: agent.rootKey!,
      canisterId: devnet.env.canisterId,
    });
    expect(bytesToHex(lookupResultToBuffer(certificate.lookup_path(path))!)).toBe(bytesToHex(data));
    expect(lookupResultToBuffer(certificate.lookup_path(['time']))).toBeDefined();
    // Pruned: the request statuses of other calls are not revealed.
    expect(certificate.lookup_path(['request_status']).status).not.toBe('Found');
  });

  it('hands the engine data certificates that verify and hold the canister certified data', async () => {
    const actor = await devnet.actor(Ed25519KeyIdentity.generate());
    const data = Uint8Array.of(1, 2, 3, 4);
    await actor.set_certified_data(data);
    const [certificateBytes] = await actor.data_certificate();
    expect(certificateBytes).toBeDefined();
    const agent = await devnet.agent();
    const certificate = await Certificate.create({
      certificate: Uint8Array.from(certificateBytes!),
      rootKey: agent.rootKey!,
      canisterId: devnet.env.canisterId,
    });
    const path = ['canister', devnet.env.canisterId.toUint8Array(), 'certified_data'];
    expect(bytesToHex(lookupResultToBuffer(certificate.lookup_path(path))!)).toBe(bytesToHex(data));
  });

  it('lets CanisterStatus read time and subnet node keys', async () => {
    const agent = await devnet.agent();
    const status = await CanisterStatus.request({ canisterId: devnet.env.canisterId, agent, paths: ['time', 'subnet'] });
    expect(status.get('time')).toBeInstanceOf(Date);
    const subnet = status.get('subnet') as CanisterStatus.SubnetStatus;
    expect(subnet.subnetId).toBe(devnet.certifier.subnet.subnetId.toText());
    expect([...subnet.nodeKeys.keys()]).toEqual([devnet.certifier.signingNode.nodeId.toText()]);
  });

  it('certifies canister rejects in the v3 call certificate', async () => {
    const actor = await devnet.actor(Ed25519KeyIdentity.generate());
    const error = await rejectOf(actor.refuse());
    expect(error.code).toBeInstanceOf(CertifiedRejectErrorCode);
    const code = error.code as CertifiedRejectErrorCode;
    expect(code.rejectCode).toBe(4);
    expect(code.rejectMessage).toBe('refused on purpose');
    expect(code.rejectErrorCode).toBe('IC0406');
  });

  it('answers an inspect_message refusal as a non-replicated rejection', async () => {
    const actor = await devnet.actor(Ed25519KeyIdentity.generate());
    const executed = devnet.env.updatesExecuted;
    const error = await rejectOf(actor.blocked_by_inspect());
    expect(error.code).toBeInstanceOf(UncertifiedRejectUpdateErrorCode);
    expect((error.code as UncertifiedRejectUpdateErrorCode).rejectErrorCode).toBe('IC0406');
    expect(devnet.env.updatesExecuted).toBe(executed);
  });

  it('executes a pre-signed envelope posted twice only once and certifies the same reply both times', async () => {
    const identity = Ed25519KeyIdentity.generate();
    const envelope = await signEnvelope(identity, {
      request_type: 'call',
      canister_id: devnet.env.canisterId,
      method_name: 'increment',
      arg: new Uint8Array(IDL.encode([], [])),
      ingress_expiry: ingressExpiry(120_000),
      nonce: Uint8Array.of(9, 9, 9),
    });
    const path = `/api/v3/canister/${devnet.env.canisterId.toText()}/call`;
    const executed = devnet.env.updatesExecuted;
    const [first, second] = await Promise.all([post(devnet, path, envelope), post(devnet, path, envelope)]);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(devnet.env.updatesExecuted).toBe(executed + 1);
    const replies: string[] = [];
    const agent = await devnet.agent();
    for (const response of [first, second]) {
      const body = Cbor.decode<{ status: string; certificate: Uint8Array }>(new Uint8Array(await response.arrayBuffer()));
      expect(body.status).toBe('replied');
      const certificate = await Certificate.create({ certificate: body.certificate, rootKey: agent.rootKey!, canisterId: devnet.env.canisterId });
      const requestIds = certificate.lookup_subtree(['request_status']);
      expect(requestIds.status).toBe('Found');
      replies.push(bytesToHex(lookupResultToBuffer(certificate.lookup_path(['request_status', requestIdOfEnvelope(envelope), 'reply']))!));
    }
    expect(replies[0]).toBe(replies[1]);
  });
});

describe('IC HTTP interface without synchronous calls', () => {
  let legacy: TestDevnet;
  beforeAll(async () => {
    legacy = await startTestDevnet({ syncCall: false });
  });
  afterAll(async () => {
    await legacy.server.close();
  });

  it('makes the agent fall back to v2 call and read_state polling', async () => {
    const actor = await legacy.actor(Ed25519KeyIdentity.generate());
    expect(await actor.increment()).toBe(1n);
    const id = legacy.env.canisterId.toText();
    expect(legacy.fetched).toContain(`/api/v3/canister/${id}/call`);
    expect(legacy.fetched).toContain(`/api/v2/canister/${id}/call`);
    expect(legacy.fetched.filter((path) => path === `/api/v2/canister/${id}/read_state`).length).toBeGreaterThanOrEqual(1);
    const error = await rejectOf(actor.refuse());
    expect(error.code).toBeInstanceOf(CertifiedRejectErrorCode);
    expect((error.code as CertifiedRejectErrorCode).rejectCode).toBe(4);
  });

  it('keeps a call status readable by its sender through read_state', async () => {
    const identity = Ed25519KeyIdentity.generate();
    const agent = await legacy.agent(identity);
    const { requestId, response } = await agent.call(legacy.env.canisterId, {
      methodName: 'increment',
      arg: new Uint8Array(IDL.encode([], [])),
      callSync: false,
    });
    expect(response.status).toBe(202);
    const path = [utf8ToBytes('request_status'), requestId];
    const state = await agent.readState(legacy.env.canisterId, { paths: [path] });
    const certificate = await Certificate.create({ certificate: state.certificate, rootKey: agent.rootKey!, canisterId: legacy.env.canisterId });
    expect(new TextDecoder().decode(lookupResultToBuffer(certificate.lookup_path([...path, 'status'])))).toBe('replied');
  });
});

function requestIdOfEnvelope(envelope: Uint8Array): Uint8Array {
  const decoded = Cbor.decode<{ content: Record<string, unknown> }>(envelope);
  return requestIdOf(decoded.content);
}
