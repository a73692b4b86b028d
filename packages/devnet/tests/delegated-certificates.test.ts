/**
 * Mainnet-shaped certificates (`delegatedCertificates: true`): the canisters live on an application subnet
 * whose own key signs the state, and every certificate carries the root key's delegation to that subnet. The
 * real @dfinity/agent, with every check on, accepts them for a canister inside the delegation's canister
 * ranges and refuses them for one outside, as it would a subnet that does not host the canister.
 */
import { Actor, Certificate, HttpAgent, lookupResultToBuffer } from '@dfinity/agent';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { Principal } from '@dfinity/principal';
import { cborDecode, lookupPath, type HashTree } from 'ic-ws-protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canisterIdFromIndex, startDevnet, type Devnet } from '../src/index';
import { buildCounter, counterInitArg, encodeCounterValue } from './canisters/counter-fixture';
import { counterIdlFactory, type CounterActor } from './canisters/counter-idl';

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
});
