/**
 * Mainnet-shaped certificates (`delegatedCertificates: true`): the canisters live on an application subnet
 * whose own key signs the state, and every certificate carries the root key's delegation to that subnet. The
 * real @dfinity/agent, with every check on, accepts them for a canister inside the delegation's canister
 * ranges and refuses them for one outside, as it would a subnet that does not host the canister.
 */
import { Actor, Certificate, HttpAgent, lookupResultToBuffer } from '@dfinity/agent';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { Principal } from '@dfinity/principal';
import { IDL } from '@dfinity/candid';
import { cborDecode, decodeCertificate, delegationCanisterRanges, checkDelegationCoversCanister, lookupPath, type HashTree } from 'ic-ws-protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canisterIdFromIndex, startDevnet, type Devnet } from '../src/index';
import { buildCounter, counterInitArg, encodeCounterValue } from './canisters/counter-fixture';
import { counterIdlFactory, type CounterActor } from './canisters/counter-idl';
import { ingressExpiry, signEnvelope, type EnvelopeContent } from './http-test-support';

let devnet: Devnet;
let inside: Principal;
let outside: Principal;
let agent: HttpAgent;

beforeAll(async () => {
  const { wasm } = await buildCounter();
  devnet = await startDevnet({ time: 'manual', delegatedCertificates: true });
  inside = await devnet.install({ wasm, arg: counterInitArg('inside') });
  // Hosted and executed by the devnet, but outside the canister ranges its certificates vouch for.
  outside = await devnet.install({ wasm, arg: counterInitArg('outside'), canisterId: canisterIdFromIndex(0x10_0000n) });
  await devnet.tick();
  agent = await HttpAgent.create({ host: devnet.url, identity: Ed25519KeyIdentity.generate(), shouldFetchRootKey: true, verifyQuerySignatures: true, retryTimes: 0 });
}, 180_000);

afterAll(async () => {
  await devnet?.close();
});

describe('delegated certificates', () => {
  it('signs with the subnet key and delegates from the root key; the agent verifies updates, queries and read_state', async () => {
    const counter = Actor.createActor<CounterActor>(counterIdlFactory, { agent, canisterId: inside });
    expect(await counter.increment()).toBe(1n);
    expect(await counter.get()).toBe(1n); // query signatures: node keys read under the delegated subnet
    const { certificate: bytes } = await agent.readState(inside, { paths: [[new TextEncoder().encode('canister'), inside.toUint8Array(), new TextEncoder().encode('certified_data')]] });
    const decoded = cborDecode(new Uint8Array(bytes)) as Map<string, unknown>;
    const delegation = decoded.get('delegation') as Map<string, Uint8Array>;
    expect(delegation).toBeInstanceOf(Map);
    const subnetId = Principal.fromUint8Array(delegation.get('subnet_id') as Uint8Array);
    expect(subnetId.toText()).not.toBe(Principal.selfAuthenticating(devnet.rootKey).toText());
    const delegationTree = (cborDecode(delegation.get('certificate') as Uint8Array) as Map<string, unknown>).get('tree') as HashTree;
    expect(lookupPath(delegationTree, ['subnet', subnetId.toUint8Array(), 'public_key']).status).toBe('found');
    const certificate = await Certificate.create({ certificate: bytes, rootKey: devnet.rootKey, canisterId: inside });
    expect(lookupResultToBuffer(certificate.lookup_path(['canister', inside.toUint8Array(), 'certified_data']))).toEqual(encodeCounterValue(1n));
  });

  it('is refused by the agent for a canister outside the delegation\'s canister ranges', async () => {
    const counter = Actor.createActor<CounterActor>(counterIdlFactory, { agent, canisterId: outside });
    await expect(counter.increment()).rejects.toThrow(/does not include the canister .* in the canister_ranges/);
    // The agent cannot get node keys it trusts for the canister, so no query answer verifies (agent 3.4.3 words
    // it as missing signatures).
    await expect(counter.get()).rejects.toThrow(/node signatures/);
    const { certificate: bytes } = await agent.readState(outside, { paths: [[new TextEncoder().encode('time')]] });
    await expect(Certificate.create({ certificate: bytes, rootKey: devnet.rootKey, canisterId: outside })).rejects.toThrow(/does not include the canister .* in the canister_ranges/);
    // The same certificate passes for the canister the ranges do cover: only the range check refused it.
    await expect(Certificate.create({ certificate: bytes, rootKey: devnet.rootKey, canisterId: inside })).resolves.toBeDefined();
  });

  it('gives each endpoint the canister ranges a replica gives it: flat on v2 and v3 call, the canister\'s shard on v3 query/read_state and v4 call', async () => {
    const identity = Ed25519KeyIdentity.generate();
    const utf8 = (text: string) => new TextEncoder().encode(text);
    const cbor = async (path: string, content: EnvelopeContent) => {
      const response = await fetch(new URL(path, devnet.url), { method: 'POST', headers: { 'content-type': 'application/cbor' }, body: new Uint8Array(await signEnvelope(identity, content)) });
      expect(response.status, path).toBe(200);
      return cborDecode(new Uint8Array(await response.arrayBuffer())) as Map<string, unknown>;
    };
    const common = { canister_id: inside, ingress_expiry: ingressExpiry(60_000) };
    const certifiedReply = IDL.Record({ value: IDL.Nat64, certificate: IDL.Opt(IDL.Vec(IDL.Nat8)) });
    const queried = async (version: 2 | 3) => {
      const answer = await cbor(`/api/v${version}/canister/${inside.toText()}/query`, { request_type: 'query', method_name: 'getCertified', arg: IDL.encode([], []), ...common });
      const arg = (answer.get('reply') as Map<string, Uint8Array>).get('arg')!;
      const [record] = IDL.decode([certifiedReply], arg) as unknown as [{ certificate: [Uint8Array] }];
      return new Uint8Array(record.certificate[0]);
    };
    const readState = async (path: string) =>
      (await cbor(path, { request_type: 'read_state', paths: [[utf8('time')]], ingress_expiry: common.ingress_expiry })).get('certificate') as Uint8Array;
    const called = async (version: 3 | 4) =>
      (await cbor(`/api/v${version}/canister/${inside.toText()}/call`, { request_type: 'call', method_name: 'increment', arg: IDL.encode([], []), nonce: crypto.getRandomValues(new Uint8Array(8)), ...common })).get('certificate') as Uint8Array;
    const rangesOf = (certificate: Uint8Array) => {
      const { delegation } = decodeCertificate(certificate);
      return delegationCanisterRanges(delegation!.certificate.tree, delegation!.subnetId);
    };
    const subnet = `/api/v3/subnet/${decodeCertificate(await queried(2)).delegation!.subnetId.toText()}/read_state`;

    expect(rangesOf(await queried(2)).format).toBe('flat');
    expect(rangesOf(await readState(`/api/v2/canister/${inside.toText()}/read_state`)).format).toBe('flat');
    expect(rangesOf(await called(3)).format).toBe('flat');
    expect(rangesOf(await readState(subnet)).format).toBe('none');
    for (const tree of [await queried(3), await readState(`/api/v3/canister/${inside.toText()}/read_state`), await called(4)]) {
      const ranges = rangesOf(tree);
      expect(ranges).toMatchObject({ format: 'tree', flat: undefined });
      const { delegation } = decodeCertificate(tree);
      expect(checkDelegationCoversCanister(delegation!.certificate.tree, delegation!.subnetId, inside).format).toBe('tree');
      // What the newer endpoints break: @dfinity/agent 3.4.3 looks for the flat leaf only.
      await expect(Certificate.create({ certificate: tree, rootKey: devnet.rootKey, canisterId: inside })).rejects.toThrow(/Could not find canister ranges/);
    }
  });
});
