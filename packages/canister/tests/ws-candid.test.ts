/**
 * The Candid interface azle generates for every Azle canister of the repository (each built by its own
 * tests' helper, so they share its cache) has exactly the ws_* signatures of protocol.md section 2, as
 * protocol's `wsServiceDid` spells them for the canister's app message type; and no canister declares
 * those entry points by hand: they all come from the binding.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { IDL } from '@dfinity/candid';
import { describe, expect, it } from 'vitest';
import { wsServiceDid } from 'ic-ws-protocol';
import { ChatMessageIdl } from '../../../examples/chat/src/shared/chat-message';
import { ChatServiceIdl } from '../../../examples/chat/src/shared/chat-service';
import { PingPongMessageIdl } from '../../../examples/ping-pong/src/ping-pong-message';
import { buildCanisters } from 'ic-ws-devnet';
import { ChatMessageIdl as WsChatMessageIdl } from '../../client/tests/support/chat-message';
import { buildWsChatCanister } from '../../client/tests/support/ws-chat-canister';
import { buildWsEchoCanister } from '../../gateway/tests/support/ws-echo-canister';
import { AppMessageIdl } from './canisters/ws-test/src/ws-test-idl';
import { didMethodSignatures, serviceSignatures } from './support/did-signatures';
import { buildWsTestCanister } from './support/ws-test-canister';

const WS_METHODS = ['ws_open', 'ws_close', 'ws_message', 'ws_get_messages'];
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

/** An example's canister, built as the example's own `npm run build` and tests build it (same cache). */
async function exampleDid(example: string, name: string): Promise<string> {
  const [built] = await buildCanisters({ projectDir: join(repoRoot, 'examples', example), canisters: [name] });
  return built!.didPath;
}

/** Every Azle canister of the repository with its app message type, built as its own tests build it. */
const CANISTERS: { name: string; appMessageIdl: IDL.Type; didPath: () => Promise<string> }[] = [
  { name: 'ws_test (packages/canister)', appMessageIdl: AppMessageIdl, didPath: async () => (await buildWsTestCanister()).didPath },
  { name: 'ws_echo (packages/gateway)', appMessageIdl: IDL.Text, didPath: async () => (await buildWsEchoCanister()).didPath },
  { name: 'ws_chat (packages/client)', appMessageIdl: WsChatMessageIdl, didPath: async () => (await buildWsChatCanister()).didPath },
  { name: 'chat (examples/chat)', appMessageIdl: ChatMessageIdl, didPath: () => exampleDid('chat', 'chat') },
  { name: 'ping_pong (examples/ping-pong)', appMessageIdl: PingPongMessageIdl, didPath: () => exampleDid('ping-pong', 'ping_pong') },
  { name: 'minimal (examples/minimal)', appMessageIdl: IDL.Text, didPath: () => exampleDid('minimal', 'minimal') },
  // The packaging fixture is built from the packed tarballs, and checked the same way, in tests/packaging.
];

/** The main file of every azle canister declared in a dfx.json that git tracks. */
async function azleCanisterMains(): Promise<string[]> {
  const { stdout } = await promisify(execFile)('git', ['ls-files', '--', '*dfx.json'], { cwd: repoRoot });
  const mains: string[] = [];
  for (const file of stdout.split('\n').filter((line) => line !== '')) {
    const dfx = JSON.parse(await readFile(join(repoRoot, file), 'utf8')) as { canisters?: Record<string, { type?: string; main?: string }> };
    for (const canister of Object.values(dfx.canisters ?? {})) {
      if (canister.type === 'azle' && canister.main !== undefined) mains.push(join(repoRoot, dirname(file), canister.main));
    }
  }
  return [...new Set(mains)].sort();
}

describe('generated Candid', () => {
  for (const canister of CANISTERS) {
    it(`${canister.name}: the four ws_* methods have exactly the protocol signatures`, async () => {
      const generated = didMethodSignatures(await readFile(await canister.didPath(), 'utf8'));
      const spec = didMethodSignatures(wsServiceDid(canister.appMessageIdl.display()));
      for (const name of WS_METHODS) {
        expect(generated.get(name), name).toBeDefined();
        expect(generated.get(name), name).toBe(spec.get(name));
      }
      expect(spec.get('ws_get_messages')).toMatch(/ query$/);
    }, 300_000);
  }

  it('chat (examples/chat): the service the example exports (its interface factory) is exactly what azle generated', async () => {
    const generated = didMethodSignatures(await readFile(await exampleDid('chat', 'chat'), 'utf8'));
    const exported = serviceSignatures(ChatServiceIdl);
    expect([...exported.keys()].sort()).toEqual([...generated.keys()].sort());
    for (const [name, signature] of generated) expect(exported.get(name), name).toBe(signature);
  }, 300_000);

  it('the spec of ws-test spells its app message type as the canister does', () => {
    expect(didMethodSignatures(wsServiceDid(AppMessageIdl.display())).get('ws_message')).toContain('opt record{n:nat32;text:text}');
  });

  it('every azle canister of the repository declares its ws entry points through the binding, none by hand', async () => {
    const mains = await azleCanisterMains();
    const wsCanisters: string[] = [];
    for (const main of mains) {
      const source = await readFile(main, 'utf8');
      // Canisters that import the library (a test canister may name it in a comment and stand apart from it).
      if (!/from\s+['"]ic-ws-canister[/'"]/.test(source)) continue;
      wsCanisters.push(relative(repoRoot, main));
      expect(source, main).toMatch(/defineWsCanister/);
      expect(source, main).not.toMatch(/\b(ws_open|ws_close|ws_message|ws_get_messages)\s*\(/);
      expect(source, main).not.toMatch(/@(init|postUpgrade)\b/);
    }
    // The seven: ws-test, ws-echo, ws-chat, the chat, ping-pong and minimal examples and the packaging fixture.
    expect(wsCanisters).toHaveLength(7);
    expect(existsSync(join(repoRoot, 'tests/packaging/fixtures/canister/src/index.ts'))).toBe(true);
    expect(wsCanisters.map((main) => dirname(main))).toContain('tests/packaging/fixtures/canister/src');
  });

  it('the normalizer tells different signatures apart', () => {
    const base = didMethodSignatures(wsServiceDid());
    const changed = didMethodSignatures(wsServiceDid().replace('client_nonce : nat64; gateway_principal', 'client_nonce : nat32; gateway_principal'));
    const notQuery = didMethodSignatures(wsServiceDid().replace('(CanisterWsGetMessagesResult) query', '(CanisterWsGetMessagesResult)'));
    expect(changed.get('ws_open')).not.toBe(base.get('ws_open'));
    expect(changed.get('ws_close')).toBe(base.get('ws_close'));
    expect(notQuery.get('ws_get_messages')).not.toBe(base.get('ws_get_messages'));
    // Field order and type names do not matter.
    const reordered = didMethodSignatures('service : { ws_close : (record { client_key : record { client_nonce : nat64; client_principal : principal } }) -> (variant { Err : text; Ok }) }');
    expect(reordered.get('ws_close')).toBe(base.get('ws_close'));
  });
});
