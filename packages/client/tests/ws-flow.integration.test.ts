/**
 * IcWebSocket end to end in Node, against the real stack: ic-ws-devnet running the ws-chat canister
 * (ic-ws-canister on Azle, a record app message type, 61 s acks) behind real ic-ws gateways. The devnet's clock
 * is manual, so ack rounds and keep-alive checks happen exactly when a test moves time; everything else waits
 * on events with deadlines.
 */
import { createServer } from 'node:net';
import { CloseCode, type IcWsStateChangeEvent } from 'ic-ws-client';
import type { ClientKey } from 'ic-ws-protocol';
import { describe, expect, it } from 'vitest';
import { withDeadline } from './support/client-recorder';
import { HostileProxy, type ObservedCall } from './support/hostile-proxy';
import { useManualTestNetwork } from './support/manual-test-network';
import type { TestNetwork } from './support/test-network';
import { CHAT_ACK_INTERVAL_MS, CHAT_KEEP_ALIVE_TIMEOUT_MS, wsChatIdlFactory } from './support/ws-chat-canister';

/** Resolves with what `find` returns once it returns something, polling, within a deadline. */
async function arrives<V>(find: () => V | undefined, what: string): Promise<V> {
  let found: V | undefined;
  await expect.poll(() => (found = find()), { timeout: 20_000, message: `waiting for ${what}` }).toBeDefined();
  return found as V;
}

let net: TestNetwork;

const sameKey = (a: ClientKey) => (b: ClientKey) =>
  a.client_nonce === b.client_nonce && a.client_principal.toText() === b.client_principal.toText();

useManualTestNetwork((started) => (net = started));

describe('IcWebSocket against devnet + gateway + an ic-ws-canister canister', () => {
  it('opens, exchanges record messages both ways, and a clean close reaches ws_close', async () => {
    const gateway = await net.startGateway();
    // The app type read from the canister's IDL factory, as an app using dfx declarations would.
    const client = net.client({ gatewayUrl: gateway.url, canisterIdlFactory: wsChatIdlFactory });
    const open = await client.nextOpen();
    expect(open.gatewayUrl).toBe(gateway.url);
    expect(open.reconnected).toBe(false);
    expect(client.ws.readyState).toBe(1);
    expect((await net.chat.connectedClients()).some(sameKey(open.clientKey))).toBe(true);

    client.ws.send({ text: 'hello', count: 41, tags: ['a', 'b'] });
    client.ws.send({ text: 'world', count: 0, tags: [] });
    expect(await client.nextMessage()).toEqual({ text: 'echo:hello', count: 42, tags: ['a', 'b', 'echoed'] });
    expect(await client.nextMessage()).toEqual({ text: 'echo:world', count: 1, tags: ['echoed'] });

    expect(await net.chat.broadcast({ text: 'to all', count: 7, tags: ['broadcast'] })).toBe(1);
    expect(await client.nextMessage()).toEqual({ text: 'to all', count: 7, tags: ['broadcast'] });
    // Every certificate was checked by the WebAssembly BLS verifier (the default), not its fallback.
    expect(client.ws.blsVerifier).toEqual({ kind: 'wasm' });

    client.ws.close();
    const closed = await client.closed();
    expect(closed).toMatchObject({ code: CloseCode.Normal, wasClean: true, error: undefined });
    expect(client.errors).toEqual([]);
    // The gateway saw the socket close and called ws_close: the canister removed the client.
    await expect
      .poll(async () => (await net.chat.closedClients()).find((entry) => sameKey(open.clientKey)(entry.client_key))?.reason, { timeout: 15_000 })
      .toBe('ClosedByGateway');
    expect((await net.chat.connectedClients()).some(sameKey(open.clientKey))).toBe(false);
    await net.stopGateway(gateway);
  });

  it('verifies with @noble/curves when asked to (blsVerifier: noble, the fallback where WebAssembly cannot run)', async () => {
    const gateway = await net.startGateway();
    const client = net.client({ gatewayUrl: gateway.url, canisterIdlFactory: wsChatIdlFactory, blsVerifier: 'noble' });
    await client.nextOpen();
    client.ws.send({ text: 'via noble', count: 1, tags: [] });
    expect(await client.nextMessage()).toEqual({ text: 'echo:via noble', count: 2, tags: ['echoed'] });
    expect(client.ws.blsVerifier).toEqual({ kind: 'noble' });
    client.ws.close();
    expect(await client.closed()).toMatchObject({ code: CloseCode.Normal, error: undefined });
    expect(client.errors).toEqual([]);
    await net.stopGateway(gateway);
  });

  it('answers each ack with a keep-alive over the canister ack interval; a client whose keep-alives are lost is closed', async () => {
    const gateway = await net.startGateway();
    const watched = await HostileProxy.start(gateway.url);
    const muted = await HostileProxy.start(gateway.url);
    // The muted client's keep-alives never reach the gateway: the canister must close it.
    muted.callRule = (call) => call.service === undefined || !('KeepAliveMessage' in call.service);
    const alive = net.client({ gatewayUrl: watched.url, ackIntervalMs: CHAT_ACK_INTERVAL_MS });
    const silent = net.client({ gatewayUrl: muted.url, ackIntervalMs: CHAT_ACK_INTERVAL_MS, reconnect: false });
    const [aliveOpen, silentOpen] = await Promise.all([alive.nextOpen(), silent.nextOpen()]);
    const aliveLink = watched.links[0]!;
    const silentLink = muted.links[0]!;
    alive.ws.send({ text: 'before the ack', count: 1, tags: [] });
    await alive.nextMessage();

    // One ack interval of IC time: the canister's ack round runs and queues an AckMessage for each client.
    // (A client of a gateway that had not proved itself yet also got an early ack right after its OpenMessage;
    // only what comes after the advance counts here.)
    const before = { aliveFrames: aliveLink.fromGateway.length, aliveCalls: aliveLink.fromClient.length, silentCalls: silentLink.fromClient.length };
    await net.advanceTime(CHAT_ACK_INTERVAL_MS);
    const isKeepAlive = (c: ObservedCall) => c.service !== undefined && 'KeepAliveMessage' in c.service;
    const ack = await arrives(() => aliveLink.fromGateway.slice(before.aliveFrames).find((f) => f.service !== undefined && 'AckMessage' in f.service), 'the AckMessage');
    // It acknowledges the app message the client sent (and the keep-alive answering an early ack, if any).
    const acknowledged = (ack.service as { AckMessage: { last_incoming_sequence_num: bigint } }).AckMessage.last_incoming_sequence_num;
    expect(acknowledged === 1n || acknowledged === 2n).toBe(true);
    const keepAlive = await arrives(() => aliveLink.fromClient.slice(before.aliveCalls).find(isKeepAlive), 'the keep-alive');
    // The keep-alive reports every canister message verified so far, the ack included.
    expect(keepAlive.service).toEqual({ KeepAliveMessage: { last_incoming_sequence_num: ack.message.sequence_num } });
    await arrives(() => silentLink.fromClient.slice(before.silentCalls).find(isKeepAlive), 'the muted keep-alive');
    // The gateway relays one client's calls in order: once this echo is back, the keep-alive was executed.
    alive.ws.send({ text: 'after the ack', count: 2, tags: [] });
    expect(await alive.nextMessage()).toMatchObject({ text: 'echo:after the ack' });

    // The keep-alive check: the silent client is closed with KeepAliveTimeout, the live one stays.
    await net.advanceTime(CHAT_KEEP_ALIVE_TIMEOUT_MS);
    const closed = await silent.closed();
    expect(closed.code).toBe(CloseCode.CanisterKeepAliveTimeout);
    expect(closed.error?.code).toBe('CLOSED_BY_CANISTER');
    const closedByCanister = await net.chat.closedClients();
    expect(closedByCanister.find((entry) => sameKey(silentOpen.clientKey)(entry.client_key))?.reason).toBe('KeepAliveTimeout');
    expect(closedByCanister.some((entry) => sameKey(aliveOpen.clientKey)(entry.client_key))).toBe(false);
    expect(alive.ws.state).toBe('open');
    alive.ws.send({ text: 'still here', count: 3, tags: [] });
    expect(await alive.nextMessage()).toMatchObject({ text: 'echo:still here', count: 4 });
    expect(alive.errors).toEqual([]);
    alive.ws.close();
    await alive.closed();
    await Promise.all([watched.close(), muted.close(), net.stopGateway(gateway)]);
  });

  it('reconnects by itself after its gateway restarts, with a new session', async () => {
    const first = await net.startGateway();
    const port = new URL(first.url).port;
    const client = net.client({ gatewayUrl: first.url, reconnectBaseDelayMs: 50, reconnectMaxDelayMs: 400, reconnectMaxAttempts: 100 });
    const before = await client.nextOpen();
    client.ws.send({ text: 'one', count: 1, tags: [] });
    expect(await client.nextMessage()).toMatchObject({ text: 'echo:one' });

    const reconnecting = withDeadline(
      new Promise<IcWsStateChangeEvent>((resolve) =>
        client.ws.addEventListener('statechange', (event) => event.state === 'reconnecting' && resolve(event)),
      ),
      'the reconnecting state',
    );
    await net.stopGateway(first);
    const change = await reconnecting;
    expect(change.error?.code).toBe('CONNECTION_LOST');
    // Messages sent while reconnecting are queued and go out on the new session.
    client.ws.send({ text: 'queued', count: 2, tags: [] });
    expect(client.ws.queuedCount).toBe(1);

    await net.startGateway({ listen: `127.0.0.1:${port}`, identity: first.identity });
    const after = await client.nextOpen();
    expect(after.reconnected).toBe(true);
    expect(after.gatewayUrl).toBe(first.url);
    expect(after.clientKey.client_nonce).not.toBe(before.clientKey.client_nonce);
    expect(await client.nextMessage()).toMatchObject({ text: 'echo:queued', count: 3 });
    // The draining gateway called ws_close for the old session.
    expect((await net.chat.closedClients()).find((e) => sameKey(before.clientKey)(e.client_key))?.reason).toBe('ClosedByGateway');
    expect(client.messages.map((m) => m.text)).toEqual(['echo:one', 'echo:queued']);
    client.ws.close();
    await client.closed();
  });

  it('fails over to the second gateway of its list when the first is dead', async () => {
    const dead = await deadUrl();
    const second = await net.startGateway();
    const client = net.client({ gatewayUrl: [dead, second.url], reconnectBaseDelayMs: 20, reconnectMaxDelayMs: 100 });
    const open = await client.nextOpen();
    expect(open.gatewayUrl).toBe(second.url);
    expect(client.errors.map((e) => e.error.code)).toEqual(['CONNECTION_LOST']);
    client.ws.send({ text: 'via the second', count: 1, tags: ['failover'] });
    expect(await client.nextMessage()).toEqual({ text: 'echo:via the second', count: 2, tags: ['failover', 'echoed'] });
    client.ws.close();
    await client.closed();
    await net.stopGateway(second);
  });

  it('moves to the other gateway when its gateway goes away mid-session', async () => {
    const [a, b] = await Promise.all([net.startGateway(), net.startGateway()]);
    const client = net.client({ gatewayUrl: [a.url, b.url], reconnectBaseDelayMs: 20, reconnectMaxDelayMs: 100 });
    expect((await client.nextOpen()).gatewayUrl).toBe(a.url);
    await net.stopGateway(a);
    const moved = await client.nextOpen();
    expect(moved).toMatchObject({ gatewayUrl: b.url, reconnected: true });
    client.ws.send({ text: 'moved', count: 5, tags: [] });
    expect(await client.nextMessage()).toMatchObject({ text: 'echo:moved', count: 6 });
    client.ws.close();
    await client.closed();
    await net.stopGateway(b);
  });
});

/** A ws:// URL nobody listens on: a port the OS just handed out and that was closed again. */
async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `ws://127.0.0.1:${port}`;
}
