/**
 * The whole devnet as users run it: the real Azle-built counter canister, installed through `startDevnet`,
 * driven by the real @dfinity/agent 3.x with every verification on (root key fetched from the devnet,
 * query signatures verified, certificates BLS-checked).
 */
import { Actor, AgentError, Certificate, HttpAgent, HttpErrorCode, lookupResultToBuffer, RejectError, type Identity } from '@dfinity/agent';
import { DelegationChain, DelegationIdentity, Ed25519KeyIdentity } from '@dfinity/identity';
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevnet, type Devnet } from '../src/index';
import { buildCounter, counterInitArg, encodeCounterValue } from './canisters/counter-fixture';
import { counterIdlFactory, counterWithMissingIdlFactory, type CounterActor } from './canisters/counter-idl';
import { ForgingIdentity, ImpostorIdentity, signEnvelope } from './http-test-support';

let devnet: Devnet;
let wasm: Uint8Array;
let canisterId: Principal;
let agent: HttpAgent;
let counter: CounterActor;
const identity = Ed25519KeyIdentity.generate();
/** A canister id inside the devnet's range that no test installs. */
const NEVER_INSTALLED = Principal.fromUint8Array(Uint8Array.of(0, 0, 0, 0, 0, 0x0f, 0xff, 0xff, 1, 1));
const utf8 = (text: string) => new TextEncoder().encode(text);

async function rejection(promise: Promise<unknown>): Promise<RejectError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(RejectError);
  return error as RejectError;
}

/** The agent surfaces a refused request as an HttpErrorCode carrying the devnet's status and text. */
async function refusal(promise: Promise<unknown>): Promise<HttpErrorCode> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(AgentError);
  expect((error as AgentError).code).toBeInstanceOf(HttpErrorCode);
  return (error as AgentError).code as HttpErrorCode;
}

async function counterAs(who: Identity): Promise<CounterActor> {
  const as = await HttpAgent.create({ host: devnet.url, identity: who, shouldFetchRootKey: true, retryTimes: 0 });
  return Actor.createActor<CounterActor>(counterIdlFactory, { agent: as, canisterId });
}

beforeAll(async () => {
  ({ wasm } = await buildCounter());
  devnet = await startDevnet({ time: 'manual' });
  canisterId = await devnet.install({ wasm, arg: counterInitArg('first') });
  await devnet.tick(); // the 0 s timer Azle and the counter arm at init
  agent = await HttpAgent.create({ host: devnet.url, identity, shouldFetchRootKey: true, verifyQuerySignatures: true, retryTimes: 0 });
  counter = Actor.createActor<CounterActor>(counterIdlFactory, { agent, canisterId });
}, 180_000);

afterAll(async () => {
  await devnet?.close();
});

describe('ic-ws-devnet with the real agent and the real Azle canister', () => {
  it('serves the root key the agent fetched, and update and query calls return right', async () => {
    expect(Array.from(agent.rootKey ?? [])).toEqual(Array.from(devnet.rootKey));
    expect(await counter.increment()).toBe(1n);
    expect(await counter.increment()).toBe(2n);
    expect(await counter.get()).toBe(2n);
    expect(await counter.whoami()).toBe(identity.getPrincipal().toText());
    expect(await counter.getLabel()).toBe('first');
  });

  it('certifies the value: read_state certified_data verifies with the agent Certificate', async () => {
    const value = await counter.get();
    const path = [utf8('canister'), canisterId.toUint8Array(), utf8('certified_data')];
    const { certificate } = await agent.readState(canisterId, { paths: [path] });
    const cert = await Certificate.create({ certificate, rootKey: agent.rootKey!, canisterId });
    expect(Array.from(lookupResultToBuffer(cert.lookup_path(path)) ?? [])).toEqual(Array.from(encodeCounterValue(value)));

    // The data certificate a query returns verifies too, and certifies the same value.
    const { value: queried, certificate: [dataCertificate] } = await counter.getCertified();
    expect(queried).toBe(value);
    const fromQuery = await Certificate.create({ certificate: dataCertificate!, rootKey: agent.rootKey!, canisterId });
    expect(Array.from(lookupResultToBuffer(fromQuery.lookup_path(path)) ?? [])).toEqual(Array.from(encodeCounterValue(value)));
  });

  it('hands out one certificate per round: queries in a round get the same bytes, the next round new ones', async () => {
    const first = (await counter.getCertified()).certificate[0]!;
    const again = (await counter.getCertified()).certificate[0]!;
    expect(Buffer.from(again).equals(Buffer.from(first))).toBe(true); // nothing changed: same round, same bytes
    await counter.increment(); // a new round certifies the new state
    const next = await counter.getCertified();
    expect(Buffer.from(next.certificate[0]!).equals(Buffer.from(first))).toBe(false);
    const fromNext = await Certificate.create({ certificate: next.certificate[0]!, rootKey: agent.rootKey!, canisterId });
    expect(lookupResultToBuffer(fromNext.lookup_path(['canister', canisterId.toUint8Array(), 'certified_data']))).toEqual(encodeCounterValue(next.value));
  });

  it('fires a timer when its time comes', async () => {
    const before = await counter.getTimerFired();
    await counter.armTimerIn(5);
    devnet.advanceTime(4_000);
    await devnet.tick();
    expect(await counter.getTimerFired()).toBe(before);
    devnet.advanceTime(1_500);
    await devnet.tick();
    expect(await counter.getTimerFired()).toBe(before + 1n);
  });

  it('rejects a trapping call and leaves the state untouched', async () => {
    const before = await counter.get();
    const error = await rejection(counter.incrementThenTrap());
    expect(error.message).toMatch(/trap/i);
    expect(await counter.get()).toBe(before);
    expect(await counter.increment()).toBe(before + 1n);
  });

  it('calls the management canister (raw_rand through the real timer and call machinery)', async () => {
    const random = await counter.randomBytes();
    expect(random.length).toBe(32);
    expect(Array.from(await counter.randomBytes())).not.toEqual(Array.from(random));
  });

  it('rejects a missing method and a missing canister like a replica, and keeps serving', async () => {
    const withMissing = Actor.createActor<{ doesNotExist(): Promise<void>; queryDoesNotExist(): Promise<void> }>(counterWithMissingIdlFactory, { agent, canisterId });
    expect((await rejection(withMissing.doesNotExist())).message).toMatch(/IC0536|has no update method/);
    expect((await rejection(withMissing.queryDoesNotExist())).message).toMatch(/IC0536|has no query method/);
    const missing = Actor.createActor<CounterActor>(counterIdlFactory, { agent, canisterId: NEVER_INSTALLED });
    expect((await rejection(missing.increment())).message).toMatch(/IC0301|not found/i);
    expect(await counter.get()).toBeGreaterThan(0n);
  });

  it('refuses forged, impostor, expired and badly delegated requests like a replica, and keeps serving', async () => {
    const before = await counter.get();
    expect((await refusal((await counterAs(new ForgingIdentity())).increment())).status).toBe(400);
    const impostor = await refusal((await counterAs(new ImpostorIdentity(identity.getPrincipal()))).increment());
    expect(impostor.status).toBe(400);
    expect(impostor.bodyText).toContain(`The user id ${identity.getPrincipal().toText()} does not match the public key`);

    const session = Ed25519KeyIdentity.generate();
    const expired = await DelegationChain.create(Ed25519KeyIdentity.generate(), session.getPublicKey(), new Date(Date.now() - 10 * 60_000)); // well before the devnet's manual clock, however long the earlier tests took
    const delegated = await refusal((await counterAs(DelegationIdentity.fromDelegation(session, expired))).increment());
    expect(delegated.status).toBe(400);
    expect(delegated.bodyText).toMatch(/delegation 0 expired/);

    // An envelope whose ingress_expiry passed, posted as a gateway would relay it.
    const stale = await signEnvelope(identity, {
      request_type: 'call',
      canister_id: canisterId,
      method_name: 'increment',
      arg: new Uint8Array(IDL.encode([], [])),
      ingress_expiry: BigInt(Date.now() - 60_000) * 1_000_000n,
    });
    const response = await fetch(`${devnet.url}/api/v3/canister/${canisterId.toText()}/call`, {
      method: 'POST',
      headers: { 'content-type': 'application/cbor' },
      body: new Uint8Array(stale),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/Invalid request expiry/);

    // None of them ran; the canister keeps serving.
    expect(await counter.get()).toBe(before);
    expect(await counter.increment()).toBe(before + 1n);
  });

  it('upgrades: the stable map survives, the hooks ran, the heap was reset and restored from stable memory', async () => {
    await counter.put('color', 'blue');
    const value = await counter.get();
    await devnet.upgrade({ canisterId, wasm, arg: counterInitArg('second') });
    await devnet.tick();
    expect(await counter.lookup('color')).toEqual(['blue']);
    expect(await counter.lookup('hook:preUpgrade')).toEqual(['1']);
    expect(await counter.lookup('hook:postUpgrade')).toEqual(['1']);
    expect(await counter.getLabel()).toBe('second');
    expect(await counter.get()).toBe(value);
    expect(await counter.increment()).toBe(value + 1n);
  });
});
