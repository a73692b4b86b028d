/**
 * Deploying the chat to ic-ws-devnet the way a deploy script deploys to a replica: nothing but
 * `@dfinity/agent` calls to the management canister (`aaaaa-aa`) over the devnet's HTTP interface, every
 * agent check on. Create a canister, upload the azle-built chat wasm in chunks (it is larger than an ingress
 * message may be), install it, call it (a client opens a connection and posts), upgrade it with a changed
 * wasm (the posts in stable memory survive), stop it (calls rejected), start it, delete it. Someone who is
 * not a controller is refused every step.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Actor, HttpAgent, type ActorSubclass, type Identity } from '@dfinity/agent';
import { IDL } from '@dfinity/candid';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { Principal } from '@dfinity/principal';
import { buildCanisters, startDevnet, type Devnet } from 'ic-ws-devnet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatMessageIdl } from '../src/shared/chat-message';
import { chatIdlFactory, type ChatService } from '../src/shared/chat-service';

const PROJECT = fileURLToPath(new URL('..', import.meta.url));
/** Below the 2 MiB ingress limit, as dfx and icp-cli cut them. */
const CHUNK_BYTES = 1024 * 1024;
/** The chat takes no init or upgrade arguments: the Candid encoding of none, as dfx sends it. */
const NO_ARGS = new Uint8Array(IDL.encode([], []));

// The part of the management canister's interface (ic.did) a deploy script needs. Candid lets a reader
// leave out reply fields it does not use.
const CanisterIdRecord = IDL.Record({ canister_id: IDL.Principal });
const ChunkHash = IDL.Record({ hash: IDL.Vec(IDL.Nat8) });
const InstallMode = IDL.Variant({ install: IDL.Null, reinstall: IDL.Null, upgrade: IDL.Opt(IDL.Record({ skip_pre_upgrade: IDL.Opt(IDL.Bool) })) });
const managementIdl: IDL.InterfaceFactory = ({ IDL: I }) =>
  I.Service({
    provisional_create_canister_with_cycles: I.Func(
      [I.Record({ amount: I.Opt(I.Nat), settings: I.Opt(I.Record({ controllers: I.Opt(I.Vec(I.Principal)) })), specified_id: I.Opt(I.Principal) })],
      [CanisterIdRecord],
      [],
    ),
    upload_chunk: I.Func([I.Record({ canister_id: I.Principal, chunk: I.Vec(I.Nat8) })], [ChunkHash], []),
    install_chunked_code: I.Func(
      [I.Record({ mode: InstallMode, target_canister: I.Principal, store_canister: I.Opt(I.Principal), chunk_hashes_list: I.Vec(ChunkHash), wasm_module_hash: I.Vec(I.Nat8), arg: I.Vec(I.Nat8) })],
      [],
      [],
    ),
    clear_chunk_store: I.Func([CanisterIdRecord], [], []),
    canister_status: I.Func(
      [CanisterIdRecord],
      [I.Record({ status: I.Variant({ running: I.Null, stopping: I.Null, stopped: I.Null }), module_hash: I.Opt(I.Vec(I.Nat8)), settings: I.Record({ controllers: I.Vec(I.Principal) }) })],
      [],
    ),
    stop_canister: I.Func([CanisterIdRecord], [], []),
    start_canister: I.Func([CanisterIdRecord], [], []),
    delete_canister: I.Func([CanisterIdRecord], [], []),
  });

type ChunkHashValue = { hash: Uint8Array | number[] };
type InstallModeValue = { install: null } | { reinstall: null } | { upgrade: [] | [{ skip_pre_upgrade: [] | [boolean] }] };
interface ManagementCanister {
  provisional_create_canister_with_cycles(arg: { amount: [] | [bigint]; settings: [] | [{ controllers: [] | [Principal[]] }]; specified_id: [] | [Principal] }): Promise<{ canister_id: Principal }>;
  upload_chunk(arg: { canister_id: Principal; chunk: Uint8Array }): Promise<ChunkHashValue>;
  install_chunked_code(arg: { mode: InstallModeValue; target_canister: Principal; store_canister: [] | [Principal]; chunk_hashes_list: ChunkHashValue[]; wasm_module_hash: Uint8Array; arg: Uint8Array }): Promise<void>;
  clear_chunk_store(arg: { canister_id: Principal }): Promise<void>;
  canister_status(arg: { canister_id: Principal }): Promise<{ status: { running: null } | { stopping: null } | { stopped: null }; module_hash: [] | [Uint8Array | number[]]; settings: { controllers: Principal[] } }>;
  stop_canister(arg: { canister_id: Principal }): Promise<void>;
  start_canister(arg: { canister_id: Principal }): Promise<void>;
  delete_canister(arg: { canister_id: Principal }): Promise<void>;
}

const owner = Ed25519KeyIdentity.generate();
const stranger = Ed25519KeyIdentity.generate();
const chatter = Ed25519KeyIdentity.generate();
let devnet: Devnet;
let wasm: Uint8Array;

async function agentFor(identity: Identity): Promise<HttpAgent> {
  return HttpAgent.create({ host: devnet.url, identity, shouldFetchRootKey: true, verifyQuerySignatures: true, retryTimes: 0 });
}

/**
 * The management canister as an actor. Calls go to `aaaaa-aa` but are addressed (in the URL) to the canister
 * they are about, the interface specification's effective canister id, as @dfinity/ic-management does.
 */
async function managementAs(identity: Identity): Promise<ActorSubclass<ManagementCanister>> {
  const effective = (_method: string, args: unknown[]) => {
    const [arg] = args as [{ canister_id?: Principal; target_canister?: Principal } | undefined];
    const id = arg?.target_canister ?? arg?.canister_id;
    return id === undefined ? {} : { effectiveCanisterId: id };
  };
  return Actor.createActor<ManagementCanister>(managementIdl, {
    agent: await agentFor(identity),
    canisterId: Principal.managementCanister(),
    callTransform: effective,
    queryTransform: effective,
  });
}

async function chatAs(identity: Identity, canisterId: Principal): Promise<ActorSubclass<ChatService>> {
  return Actor.createActor<ChatService>(chatIdlFactory, { agent: await agentFor(identity), canisterId });
}

const sha256 = (bytes: Uint8Array) => new Uint8Array(createHash('sha256').update(bytes).digest());
const hex = (bytes: Uint8Array | number[]) => Buffer.from(bytes).toString('hex');

/** Uploads `module` to `canisterId`'s chunk store in 1 MiB chunks, and installs it from there in `mode`. */
async function deployInChunks(ic: ActorSubclass<ManagementCanister>, canisterId: Principal, module: Uint8Array, mode: InstallModeValue): Promise<number> {
  const chunks: ChunkHashValue[] = [];
  for (let offset = 0; offset < module.length; offset += CHUNK_BYTES) {
    chunks.push(await ic.upload_chunk({ canister_id: canisterId, chunk: module.subarray(offset, offset + CHUNK_BYTES) }));
  }
  await ic.install_chunked_code({ mode, target_canister: canisterId, store_canister: [], chunk_hashes_list: chunks, wasm_module_hash: sha256(module), arg: NO_ARGS });
  await ic.clear_chunk_store({ canister_id: canisterId });
  return chunks.length;
}

/** The same module with a custom section appended: a changed wasm (new module hash), the same code. */
function changedWasm(module: Uint8Array): Uint8Array {
  const name = new TextEncoder().encode('ic-ws-release');
  const payload = new TextEncoder().encode('v2');
  const body = Uint8Array.of(name.length, ...name, ...payload);
  return new Uint8Array(Buffer.concat([module, Uint8Array.of(0, body.length), body]));
}

/** Expects `promise` to reject with the replica's error `code` and a message matching `text`. */
async function expectReject(promise: Promise<unknown>, code: string, text: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected a reject with ${code}`).toBeInstanceOf(Error);
  expect((error as Error).message).toContain(`Error code: ${code}`);
  expect((error as Error).message).toMatch(text);
}

/** Posts `texts` for `chatter` (connection nonce 1) from `firstSequence` on: the ws_message calls a gateway relays. */
async function post(chat: ActorSubclass<ChatService>, texts: string[], firstSequence: bigint): Promise<void> {
  const client_key = { client_principal: chatter.getPrincipal(), client_nonce: 1n };
  for (const [i, text] of texts.entries()) {
    const content = new Uint8Array(IDL.encode([ChatMessageIdl], [{ Post: { text, client_sent_at_ms: 0n } }]));
    const msg = { client_key, sequence_num: firstSequence + BigInt(i), timestamp: 0n, is_service_message: false, content };
    expect(await chat.ws_message({ msg, message_id: [] }, [])).toEqual({ Ok: null });
  }
}

beforeAll(async () => {
  const [chat] = await buildCanisters({ projectDir: PROJECT, canisters: ['chat'] });
  wasm = new Uint8Array(await readFile(chat!.wasmPath));
  devnet = await startDevnet({ roundIntervalMs: 0 });
});

afterAll(async () => {
  await devnet?.close();
});

describe('the chat deployed with @dfinity/agent management-canister calls only', () => {
  it('creates, installs from chunks, runs, upgrades keeping stable data, stops, starts and deletes; strangers are refused', async () => {
    const ic = await managementAs(owner);
    const strangerIc = await managementAs(stranger);
    expect(wasm.length).toBeGreaterThan(2 * 1024 * 1024); // more than one ingress message may carry

    const { canister_id: canisterId } = await ic.provisional_create_canister_with_cycles({ amount: [], settings: [{ controllers: [[owner.getPrincipal()]] }], specified_id: [] });
    expect((await ic.canister_status({ canister_id: canisterId })).module_hash).toEqual([]);
    await expectReject(strangerIc.upload_chunk({ canister_id: canisterId, chunk: Uint8Array.of(0) }), 'IC0512', /Only controllers of canister/);

    expect(await deployInChunks(ic, canisterId, wasm, { install: null })).toBe(Math.ceil(wasm.length / CHUNK_BYTES));
    const installed = await ic.canister_status({ canister_id: canisterId });
    expect(hex(installed.module_hash[0] ?? [])).toBe(hex(sha256(wasm)));
    expect(installed.settings.controllers.map((p) => p.toText())).toEqual([owner.getPrincipal().toText()]);

    // Call it: a client opens a connection and posts, with the calls its gateway would relay.
    const chat = await chatAs(chatter, canisterId);
    expect(await chat.ws_open({ client_nonce: 1n, gateway_principal: stranger.getPrincipal() })).toEqual({ Ok: null });
    await post(chat, ['kept in stable memory', 'and this one'], 1n);
    expect((await chat.history()).map((entry) => entry.text)).toEqual(['kept in stable memory', 'and this one']);

    // Upgrade with a changed wasm: the posts (StableBTreeMap) survive, and the connection still works.
    const v2 = changedWasm(wasm);
    await expectReject(strangerIc.install_chunked_code({ mode: { upgrade: [] }, target_canister: canisterId, store_canister: [], chunk_hashes_list: [], wasm_module_hash: sha256(v2), arg: NO_ARGS }), 'IC0512', /Only controllers of canister/);
    await deployInChunks(ic, canisterId, v2, { upgrade: [] });
    expect(hex((await ic.canister_status({ canister_id: canisterId })).module_hash[0] ?? [])).toBe(hex(sha256(v2)));
    expect((await chat.history()).map((entry) => entry.text)).toEqual(['kept in stable memory', 'and this one']);
    await post(chat, ['after the upgrade'], 3n);
    expect((await chat.history()).map((entry) => entry.text)).toEqual(['kept in stable memory', 'and this one', 'after the upgrade']);

    // Stop: updates and queries are rejected as a replica rejects them. Start: it answers again.
    await expectReject(strangerIc.stop_canister({ canister_id: canisterId }), 'IC0512', /Only controllers of canister/);
    await ic.stop_canister({ canister_id: canisterId });
    expect((await ic.canister_status({ canister_id: canisterId })).status).toEqual({ stopped: null });
    await expectReject(chat.history(), 'IC0508', /is stopped/);
    await expectReject(post(chat, ['while stopped'], 4n), 'IC0508', /is not running/);
    await expectReject(strangerIc.start_canister({ canister_id: canisterId }), 'IC0512', /Only controllers of canister/);
    await ic.start_canister({ canister_id: canisterId });
    await post(chat, ['after the restart'], 4n);
    expect((await chat.history()).map((entry) => entry.text).at(-1)).toBe('after the restart');

    // Delete: only a stopped canister, only by a controller; then it is gone.
    await ic.stop_canister({ canister_id: canisterId });
    await expectReject(strangerIc.delete_canister({ canister_id: canisterId }), 'IC0512', /Only controllers of canister/);
    await ic.delete_canister({ canister_id: canisterId });
    await expectReject(ic.canister_status({ canister_id: canisterId }), 'IC0301', /not found/);
    await expectReject(chat.history(), 'IC0301', /not found/);
    expect(devnet.canisterIds().map((id) => id.toText())).not.toContain(canisterId.toText());
  }, 120_000);
});
