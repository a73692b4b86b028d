/**
 * The chat canister as azle builds it, on ic-ws-devnet: real Azle `StableBTreeMap`s with this example's key
 * and value encodings, and an upgrade. Calls go straight to the engine (no HTTP, no signatures, no gateway):
 * the browser test in tests/e2e covers that path.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { buildCanisters, startDevnet, type Devnet } from 'ic-ws-devnet';
import {
  CanisterWsMessageArgumentsIdl,
  CanisterWsMessageResultIdl,
  CanisterWsOpenArgumentsIdl,
  CanisterWsOpenResultIdl,
  type ClientKey,
} from 'ic-ws-protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatEntryIdl, ChatMessageIdl, type ChatEntry, type ChatMessage } from '../src/shared/chat-message';

const PROJECT = fileURLToPath(new URL('..', import.meta.url));
const GATEWAY = Principal.fromUint8Array(Uint8Array.of(0x22, 1));
const ALICE = Principal.fromUint8Array(Uint8Array.of(0x11, 1, 1));

let devnet: Devnet;
let wasm: Uint8Array;
let canisterId: Principal;

async function update(method: string, types: IDL.Type[], args: unknown[], resultIdl: IDL.Type, caller: Principal): Promise<unknown> {
  const outcome = await devnet.update({ canisterId, methodName: method, arg: new Uint8Array(IDL.encode(types, args)), caller });
  if (outcome.status !== 'replied') throw new Error(`${method}: ${outcome.rejectMessage}`);
  return IDL.decode([resultIdl], outcome.reply)[0];
}

async function query<T>(method: string, resultIdl: IDL.Type): Promise<T> {
  const outcome = await devnet.query({ canisterId, methodName: method, arg: new Uint8Array(IDL.encode([], [])), caller: ALICE });
  if (outcome.status !== 'replied') throw new Error(`${method}: ${outcome.rejectMessage}`);
  return IDL.decode([resultIdl], outcome.reply)[0] as T;
}

let sequence = 0n;
async function say(client: ClientKey, message: ChatMessage): Promise<unknown> {
  sequence += 1n;
  const content = new Uint8Array(IDL.encode([ChatMessageIdl], [message]));
  const msg = { client_key: client, sequence_num: sequence, timestamp: 0n, is_service_message: false, content };
  return update('ws_message', [CanisterWsMessageArgumentsIdl, IDL.Opt(ChatMessageIdl)], [{ msg, message_id: [] }, []], CanisterWsMessageResultIdl, client.client_principal);
}

beforeAll(async () => {
  const [chat] = await buildCanisters({ projectDir: PROJECT, canisters: ['chat'] });
  wasm = new Uint8Array(await readFile(chat!.wasmPath));
  devnet = await startDevnet({ time: 'manual' });
  canisterId = await devnet.install({ wasm });
  // Azle arms a 0 s timer at init.
  await devnet.tick();
});

afterAll(async () => {
  await devnet?.close();
});

describe('the chat canister on ic-ws-devnet', () => {
  it('keeps posts and nicknames in stable memory across an upgrade, with the connection', async () => {
    const alice: ClientKey = { client_principal: ALICE, client_nonce: 7n };
    expect(await update('ws_open', [CanisterWsOpenArgumentsIdl], [{ client_nonce: 7n, gateway_principal: GATEWAY }], CanisterWsOpenResultIdl, ALICE)).toEqual({ Ok: null });
    expect(await say(alice, { SetNickname: { nickname: 'alice' } })).toEqual({ Ok: null });
    expect(await say(alice, { Post: { text: 'before the upgrade', client_sent_at_ms: 5n } })).toEqual({ Ok: null });

    await devnet.upgrade({ canisterId, wasm });
    await devnet.tick();

    expect(await query('connection_count', IDL.Nat32)).toBe(1);
    expect(await say(alice, { Post: { text: 'after the upgrade', client_sent_at_ms: 6n } })).toEqual({ Ok: null });
    const history = await query<ChatEntry[]>('history', IDL.Vec(ChatEntryIdl));
    expect(history.map((entry) => [entry.id, entry.nickname, entry.text, entry.client_sent_at_ms, entry.from.toText()])).toEqual([
      [0n, 'alice', 'before the upgrade', [5n], ALICE.toText()],
      [1n, 'alice', 'after the upgrade', [6n], ALICE.toText()],
    ]);
  });

  it('refuses a message from a caller that does not own the connection', async () => {
    const mallory = Principal.fromUint8Array(Uint8Array.of(0x11, 9, 1));
    const content = new Uint8Array(IDL.encode([ChatMessageIdl], [{ Post: { text: 'forged', client_sent_at_ms: 0n } }]));
    const msg = { client_key: { client_principal: ALICE, client_nonce: 7n }, sequence_num: sequence + 1n, timestamp: 0n, is_service_message: false, content };
    const result = await update('ws_message', [CanisterWsMessageArgumentsIdl, IDL.Opt(ChatMessageIdl)], [{ msg, message_id: [] }, []], CanisterWsMessageResultIdl, mallory);
    expect(result).toHaveProperty('Err');
    const history = await query<ChatEntry[]>('history', IDL.Vec(ChatEntryIdl));
    expect(history.map((entry) => entry.text)).not.toContain('forged');
  });
});
