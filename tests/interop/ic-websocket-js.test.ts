/**
 * Interop (issue "[examples]", acceptance 4): the public client ic-websocket-js 0.5 (with its @dfinity 2.x
 * agent) talks to the chat canister (ic-ws-canister on Azle) through ic-ws-gateway, all on ic-ws-devnet.
 * Nothing is mocked: the client signs real envelopes the devnet checks, and verifies every certified message
 * (BLS certificate, witness, hash, sequence) itself before its `onmessage` fires.
 */
import { Actor, HttpAgent, type ActorSubclass } from '@dfinity/agent';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { Secp256k1KeyIdentity } from '@dfinity/identity-secp256k1';
import type { SignIdentity } from '@dfinity/agent';
import { startDevnet, type Devnet } from 'ic-ws-devnet';
import { NodeEd25519Identity, startGateway, type GatewayHandle } from 'ic-ws-gateway';
import { IcWebSocket as IcWsClient } from 'ic-ws-client';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatMessageIdl, type ChatMessage as IcWsChatMessage } from '../../examples/chat/src/shared/chat-message';
import { buildChat, chatIdlFactory, type ChatEntry, type ChatMessage, type ChatService, type Member } from './support/chat-canister';
import { PublicChatClient } from './support/public-client';

// Node 20 has no global WebSocket, which ic-websocket-js uses; nor ErrorEvent, which it builds its error
// events with (without one its `onerror` never fires, and failures would show only as a close code).
const runtime = globalThis as Record<string, unknown>;
runtime.WebSocket ??= WebSocket;
runtime.ErrorEvent ??= class ErrorEvent extends Event {
  readonly error: unknown;
  constructor(type: string, init?: { error?: unknown }) {
    super(type);
    this.error = init?.error;
  }
};

let devnet: Devnet;
let gateway: GatewayHandle;
let canisterId: string;
let chat: ActorSubclass<ChatService>;

const isWelcome = (m: ChatMessage): m is { Welcome: { you: Member; history: ChatEntry[]; online: Member[] } } => 'Welcome' in m;
const postedText = (text: string) => (m: ChatMessage): m is { Posted: ChatEntry } => 'Posted' in m && m.Posted.text === text;

function connectPublic(identity: SignIdentity): PublicChatClient {
  return new PublicChatClient(gateway.url, { canisterId, actor: chat, identity, networkUrl: devnet.url });
}

beforeAll(async () => {
  const wasm = await buildChat();
  devnet = await startDevnet();
  canisterId = (await devnet.install({ wasm })).toText();
  gateway = await startGateway({
    listen: '127.0.0.1:0',
    adminListen: '',
    icUrl: devnet.url,
    identity: NodeEd25519Identity.generate(),
    logLevel: 'silent',
  });
  // The app's own actor, from @dfinity/agent 2.x: ic-websocket-js takes its IDL from it.
  const agent = await HttpAgent.create({ host: devnet.url, shouldFetchRootKey: true });
  chat = Actor.createActor<ChatService>(chatIdlFactory, { agent, canisterId });
});

afterAll(async () => {
  await gateway?.close();
  await devnet?.close();
});

describe('ic-websocket-js 0.5 through ic-ws-gateway to an ic-ws-canister canister', () => {
  it.each([
    ['Ed25519', () => Ed25519KeyIdentity.generate()],
    ['secp256k1', () => Secp256k1KeyIdentity.generate()],
  ] as const)('opens, sends and receives verified messages, and closes cleanly (%s identity)', async (kind, makeIdentity) => {
    const identity = makeIdentity();
    const me = identity.getPrincipal().toText();
    const client = connectPublic(identity);
    await client.opened;

    // The canister's first app message (after the OpenMessage, a service message ic-websocket-js consumes).
    const welcome = await client.next(isWelcome);
    expect(welcome.Welcome.you.principal.toText()).toBe(me);
    expect(welcome.Welcome.online.map((m) => m.principal.toText())).toContain(me);
    expect(await chat.connection_count()).toBe(1);

    const text = `hello from ic-websocket-js (${kind})`;
    client.ws.send({ Post: { text, client_sent_at_ms: BigInt(Date.now()) } });
    const posted = await client.next(postedText(text));
    expect(posted.Posted.from.toText()).toBe(me);
    expect(posted.Posted.client_sent_at_ms).toHaveLength(1);
    client.ws.send({ SetNickname: { nickname: `js-${kind}` } });
    const renamed = await client.next((m): m is { Renamed: { member: Member; previous: string } } => 'Renamed' in m);
    expect(renamed.Renamed.member.nickname).toBe(`js-${kind}`);
    expect((await chat.history()).map((e) => e.text)).toContain(text);

    client.ws.close();
    const closed = await client.closed;
    expect(closed.code).toBe(1000);
    // The gateway turned the socket's close into ws_close, and the canister removed the client.
    await expect.poll(() => chat.connection_count(), { timeout: 10_000 }).toBe(0);
    expect(client.errors).toEqual([]);
  });

  it('shares a chat with ic-ws-client: each sees the other join, post and leave', async () => {
    const ours = new IcWsClient<IcWsChatMessage>({
      gatewayUrl: gateway.url,
      canisterId,
      identity: NodeEd25519Identity.generate(),
      networkUrl: devnet.url,
      appMessageIdl: ChatMessageIdl,
      reconnect: false,
      WebSocket: WebSocket as never,
    });
    const oursMessages = ours[Symbol.asyncIterator]();
    const oursNext = async <M extends IcWsChatMessage>(predicate: (m: IcWsChatMessage) => m is M): Promise<M> => {
      for (;;) {
        const { value, done } = await oursMessages.next();
        if (done === true) throw new Error('ic-ws-client closed while waiting for a message');
        if (predicate(value)) return value;
      }
    };
    await oursNext((m): m is Extract<IcWsChatMessage, { Welcome: unknown }> => 'Welcome' in m);

    const identity = Ed25519KeyIdentity.generate();
    const theirs = connectPublic(identity);
    await theirs.opened;
    const theirPrincipal = identity.getPrincipal().toText();
    const ourPrincipal = ours.clientKey?.client_principal.toText();
    expect(ourPrincipal).toBeDefined();
    const welcome = await theirs.next(isWelcome);
    expect(welcome.Welcome.online.map((m) => m.principal.toText()).sort()).toEqual([ourPrincipal, theirPrincipal].sort());
    await oursNext((m): m is Extract<IcWsChatMessage, { Joined: unknown }> => 'Joined' in m && m.Joined.principal.toText() === theirPrincipal);

    theirs.ws.send({ Post: { text: 'from the public client', client_sent_at_ms: 1n } });
    const seenByUs = await oursNext((m): m is Extract<IcWsChatMessage, { Posted: unknown }> => 'Posted' in m && m.Posted.text === 'from the public client');
    expect(seenByUs.Posted.from.toText()).toBe(theirPrincipal);

    ours.send({ Post: { text: 'from ic-ws-client', client_sent_at_ms: 2n } });
    const seenByThem = await theirs.next(postedText('from ic-ws-client'));
    expect(seenByThem.Posted.from.toText()).toBe(ourPrincipal);

    theirs.ws.close();
    expect((await theirs.closed).code).toBe(1000);
    await oursNext((m): m is Extract<IcWsChatMessage, { Left: unknown }> => 'Left' in m && m.Left.principal.toText() === theirPrincipal);
    ours.close();
    await expect.poll(() => chat.connection_count(), { timeout: 10_000 }).toBe(0);
    expect(theirs.errors).toEqual([]);
  });
});
