/**
 * The management canister over the real HTTP interface, driven as a deploy script drives a replica: the real
 * @dfinity/agent (every check on) through @dfinity/ic-management's `ICManagementCanister`, against the Azle
 * counter (3.5 MB, so it goes up in 1 MiB chunks). Controllers and everyone else, the replica's error codes,
 * stopped and deleted canisters, and a canister creating a canister.
 */
import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { Actor, HttpAgent, type Identity } from '@dfinity/agent';
import { ICManagementCanister } from '@dfinity/ic-management';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevnet, type Devnet } from '../src/index';
import { buildCounter, counterInitArg } from './canisters/counter-fixture';
import { counterIdlFactory, type CounterActor } from './canisters/counter-idl';
import { ingressExpiry, signEnvelope } from './http-test-support';

const CHUNK = 1024 * 1024;
const owner = Ed25519KeyIdentity.generate();
const stranger = Ed25519KeyIdentity.generate();
let devnet: Devnet;
let wasm: Uint8Array;
let ic: ICManagementCanister;
let strangerIc: ICManagementCanister;
let canisterId: Principal;

async function agentFor(identity: Identity): Promise<HttpAgent> {
  return HttpAgent.create({ host: devnet.url, identity, shouldFetchRootKey: true, verifyQuerySignatures: true, retryTimes: 0 });
}

async function counterAs(identity: Identity, id = canisterId): Promise<CounterActor> {
  return Actor.createActor<CounterActor>(counterIdlFactory, { agent: await agentFor(identity), canisterId: id });
}

/** Uploads `module` in 1 MiB chunks to `target`'s chunk store; returns the hashes in order. */
async function uploadInChunks(target: Principal, module: Uint8Array): Promise<{ hash: Uint8Array }[]> {
  const hashes: { hash: Uint8Array }[] = [];
  for (let offset = 0; offset < module.length; offset += CHUNK) {
    const { hash } = await ic.uploadChunk({ canisterId: target, chunk: module.subarray(offset, offset + CHUNK) });
    hashes.push({ hash: new Uint8Array(hash) });
  }
  return hashes;
}

/** The same module with a custom section appended: the code is unchanged, its hash is not. */
function withCustomSection(module: Uint8Array, note: string): Uint8Array {
  const name = new TextEncoder().encode('ic-ws-note');
  const payload = new TextEncoder().encode(note);
  const body = Uint8Array.of(name.length, ...name, ...payload);
  return new Uint8Array(Buffer.concat([module, Uint8Array.of(0, body.length), body]));
}

/** Expects `promise` to reject with the replica's error `code` and a message matching `text`. */
async function expectReject(promise: Promise<unknown>, code: string, text: RegExp): Promise<void> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(Error);
  const message = (error as Error).message;
  expect(message).toContain(`Error code: ${code}`);
  expect(message).toMatch(text);
}

const sha256 = (bytes: Uint8Array) => new Uint8Array(createHash('sha256').update(bytes).digest());

beforeAll(async () => {
  ({ wasm } = await buildCounter());
  devnet = await startDevnet({ roundIntervalMs: 0 });
  ic = ICManagementCanister.create({ agent: await agentFor(owner) });
  strangerIc = ICManagementCanister.create({ agent: await agentFor(stranger) });
}, 180_000);

afterAll(async () => {
  await devnet?.close();
});

describe('the management canister over HTTP', () => {
  it('creates a canister and installs code uploaded in chunks; the canister answers', async () => {
    canisterId = await ic.provisionalCreateCanisterWithCycles({ settings: { controllers: [owner.getPrincipal().toText()] } });
    expect(devnet.canisterIds().map((id) => id.toText())).toContain(canisterId.toText());
    const empty = await ic.canisterStatus(canisterId);
    expect(empty.module_hash).toEqual([]);
    expect('running' in empty.status).toBe(true);
    await expectReject((await counterAs(owner)).get(), 'IC0537', /Attempted to execute a message, but the canister contains no Wasm module/);

    const chunks = await uploadInChunks(canisterId, wasm);
    expect(chunks.length).toBe(Math.ceil(wasm.length / CHUNK));
    expect(chunks.length).toBeGreaterThan(2); // an ingress message could not carry it whole
    expect((await ic.storedChunks({ canisterId })).map((c) => Buffer.from(c.hash).toString('hex')).sort()).toEqual(
      chunks.map((c) => Buffer.from(c.hash).toString('hex')).sort(),
    );
    await ic.installChunkedCode({ mode: { install: null }, targetCanisterId: canisterId, chunkHashesList: chunks, wasmModuleHash: sha256(wasm), arg: counterInitArg('deployed') });
    await ic.clearChunkStore({ canisterId });
    expect(await ic.storedChunks({ canisterId })).toEqual([]);

    const counter = await counterAs(owner);
    expect(await counter.getLabel()).toBe('deployed');
    expect(await counter.increment()).toBe(1n);
    await counter.put('kept', 'across the upgrade');
    const status = await ic.canisterStatus(canisterId);
    expect(Buffer.from(status.module_hash[0] ?? []).toString('hex')).toBe(Buffer.from(sha256(wasm)).toString('hex'));
    expect(status.settings.controllers.map((c) => c.toText())).toEqual([owner.getPrincipal().toText()]);
    expect(status.memory_size).toBeGreaterThan(BigInt(wasm.length));
  });

  it('refuses a second install, a module that does not match its hash, and a chunk that is missing', async () => {
    const chunks = await uploadInChunks(canisterId, wasm);
    await expectReject(
      ic.installChunkedCode({ mode: { install: null }, targetCanisterId: canisterId, chunkHashesList: chunks, wasmModuleHash: sha256(wasm), arg: counterInitArg() }),
      'IC0514', /cannot be installed because the canister is not empty/);
    await expectReject(
      ic.installChunkedCode({ mode: { upgrade: [] }, targetCanisterId: canisterId, chunkHashesList: chunks.slice(1), wasmModuleHash: sha256(wasm), arg: counterInitArg() }),
      'IC0504', /Error from Wasm chunk store: Wasm module hash \[[\d, ]+\] does not match given hash/);
    await ic.clearChunkStore({ canisterId });
    await expectReject(
      ic.installChunkedCode({ mode: { upgrade: [] }, targetCanisterId: canisterId, chunkHashesList: chunks, wasmModuleHash: sha256(wasm), arg: counterInitArg() }),
      'IC0504', /Chunk hash \[[\d, ]+\] was not found/);
    expect(await (await counterAs(owner)).get()).toBe(1n);
  });

  it('upgrades with a changed (gzipped) module: stable data survives, post_upgrade runs with its argument', async () => {
    const changed = withCustomSection(wasm, 'v2');
    await ic.installCode({ mode: { upgrade: [] }, canisterId, wasmModule: gzipSync(changed).subarray(0), arg: counterInitArg('upgraded') });
    const counter = await counterAs(owner);
    expect(await counter.lookup('kept')).toEqual(['across the upgrade']);
    expect(await counter.getLabel()).toBe('upgraded');
    const status = await ic.canisterStatus(canisterId);
    expect(Buffer.from(status.module_hash[0] ?? []).toString('hex')).toBe(Buffer.from(sha256(changed)).toString('hex'));
    expect(status.version).toBeGreaterThanOrEqual(2n);
  });

  it('refuses non-controllers with the replica\'s IC0512, and changes controllers', async () => {
    const refused = (promise: Promise<unknown>) => expectReject(promise, 'IC0512', /Only controllers of canister \S+ can call ic00 method/);
    await refused(strangerIc.canisterStatus(canisterId));
    await refused(strangerIc.stopCanister(canisterId));
    await refused(strangerIc.installCode({ mode: { reinstall: null }, canisterId, wasmModule: new Uint8Array(8), arg: new Uint8Array() }));
    await refused(strangerIc.uploadChunk({ canisterId, chunk: Uint8Array.of(1) }));
    await refused(strangerIc.updateSettings({ canisterId, settings: { controllers: [stranger.getPrincipal().toText()] } }));

    await ic.updateSettings({ canisterId, settings: { controllers: [owner.getPrincipal().toText(), stranger.getPrincipal().toText()] } });
    expect((await strangerIc.canisterStatus(canisterId)).settings.controllers).toHaveLength(2);
    await strangerIc.updateSettings({ canisterId, settings: { controllers: [owner.getPrincipal().toText()] } });
    await refused(strangerIc.canisterStatus(canisterId));
    expect((await ic.canisterStatus(canisterId)).settings.controllers.map((c) => c.toText())).toEqual([owner.getPrincipal().toText()]);
  });

  it('stops a canister (calls rejected as the replica rejects them), starts it, deletes it once stopped', async () => {
    const counter = await counterAs(owner);
    await ic.stopCanister(canisterId);
    expect('stopped' in (await ic.canisterStatus(canisterId)).status).toBe(true);
    await expectReject(counter.increment(), 'IC0508', /is not running/);
    await expectReject(counter.get(), 'IC0508', /is stopped and therefore does not have a CallContextManager/);
    await ic.startCanister(canisterId);
    expect(await counter.increment()).toBe(2n);

    await expectReject(ic.deleteCanister(canisterId), 'IC0510', /must be stopped before it is deleted/);
    await ic.stopCanister(canisterId);
    await ic.deleteCanister(canisterId);
    expect(devnet.canisterIds().map((id) => id.toText())).not.toContain(canisterId.toText());
    await expectReject(ic.canisterStatus(canisterId), 'IC0301', /not found/);
    await expectReject(counter.get(), 'IC0301', /not found/);
  });

  it('refuses create_canister from users (only canisters may call it), and lets a canister create one', async () => {
    await expectReject(ic.createCanister(), 'IC0536', /create_canister can only be called by other canisters, not via ingress messages/);
    const parent = await ic.provisionalCreateCanisterWithCycles({ settings: { controllers: [owner.getPrincipal().toText()] } });
    await ic.installChunkedCode({ mode: { install: null }, targetCanisterId: parent, chunkHashesList: await uploadInChunks(parent, wasm), wasmModuleHash: sha256(wasm), arg: counterInitArg('parent') });
    const child = Principal.fromText(await (await counterAs(owner, parent)).createChild(owner.getPrincipal()));
    const status = await ic.canisterStatus(child);
    expect(status.settings.controllers.map((c) => c.toText()).sort()).toEqual([parent.toText(), owner.getPrincipal().toText()].sort());
    expect(status.module_hash).toEqual([]);
  });

  it('routes calls to aaaaa-aa by the canister their argument names (the effective canister id)', async () => {
    const target = await ic.provisionalCreateCanisterWithCycles({ settings: { controllers: [owner.getPrincipal().toText()] } });
    const other = await ic.provisionalCreateCanisterWithCycles({ settings: { controllers: [owner.getPrincipal().toText()] } });
    const statusCall = async (urlCanister: Principal) => {
      const body = await signEnvelope(owner, {
        request_type: 'call',
        canister_id: Principal.fromText('aaaaa-aa'),
        method_name: 'canister_status',
        arg: new Uint8Array(IDL.encode([IDL.Record({ canister_id: IDL.Principal })], [{ canister_id: target }])),
        ingress_expiry: ingressExpiry(60_000),
      });
      return fetch(`${devnet.url}/api/v3/canister/${urlCanister.toText()}/call`, { method: 'POST', headers: { 'content-type': 'application/cbor' }, body: new Uint8Array(body) });
    };
    const misrouted = await statusCall(other);
    expect(misrouted.status).toBe(400);
    expect(await misrouted.text()).toBe(`Specified CanisterId ${target.toText()} does not match effective canister id in URL ${other.toText()}`);
    const routed = await statusCall(target);
    expect(routed.status).toBe(200);
  });
});
