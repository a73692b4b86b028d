import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { CloseCode, type ClientKey } from 'ic-ws-protocol';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { NodeEd25519Identity } from '../src/ic/node-ed25519-identity';
import { startGateway } from '../src/start-gateway';
import { openFrame, testCanisterId, testPrincipal } from '../src/testing/client-frames';
import { deferred } from '../src/testing/deferred';
import { ScriptedIc } from '../src/testing/scripted-ic';
import { TestClient } from '../src/testing/test-client';

const canister = testCanisterId(1);
const silent = pino({ level: 'silent' });

/** A ScriptedIc whose ws_close calls for clients wait for `release` (presence calls answer at once). */
class HoldingIc extends ScriptedIc {
  readonly release = deferred();
  override async wsClose(...args: Parameters<ScriptedIc['wsClose']>): Promise<void> {
    await super.wsClose(...args);
    if (!this.isPresence(args[1])) await this.release.promise;
  }
}

async function openClients(
  url: string,
  ic: ScriptedIc,
  gateway: NodeEd25519Identity,
  count: number,
  ca?: string,
): Promise<{ client: TestClient; key: ClientKey }[]> {
  const out = [];
  for (let i = 0; i < count; i++) {
    const key = { client_principal: testPrincipal(20 + i), client_nonce: BigInt(i) };
    const client = await TestClient.connect(url, ca ? { ca } : {});
    await client.nextFrame();
    client.send(openFrame(canister, key, gateway.getPrincipal()));
    await ic.relayedAtLeast(i + 1);
    ic.enqueue(canister, key, Uint8Array.of(i));
    await client.nextFrame();
    out.push({ client, key });
  }
  return out;
}

describe('gateway lifecycle', () => {
  it('drains: refuses new clients, closes sessions with 1001, calls ws_close for each, then resolves', async () => {
    const identity = NodeEd25519Identity.generate();
    const ic = new HoldingIc(() => identity.getPrincipal());
    const gateway = await startGateway({ listen: '127.0.0.1:0', adminListen: '127.0.0.1:0', identity, ic, logger: silent });
    const clients = await openClients(gateway.url, ic, identity, 3);
    const idle = await TestClient.connect(gateway.url);

    let closed = false;
    const closing = gateway.close().then(() => (closed = true));
    const codes = await Promise.all([...clients.map((c) => c.client.closed), idle.closed].map((p) => p.then((c) => c.code)));
    expect(codes).toEqual([CloseCode.GoingAway, CloseCode.GoingAway, CloseCode.GoingAway, CloseCode.GoingAway]);
    for (const { key } of clients) await ic.closedFor(key);
    expect(ic.closed).toHaveLength(3);

    // ws_close calls are still pending: the gateway is draining, not ready, and refuses new clients.
    const ready = await fetch(`${gateway.adminUrl}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.text()).toContain('draining');
    await expect(TestClient.connect(gateway.url)).rejects.toThrow();
    expect(closed).toBe(false);

    ic.release.resolve();
    await closing;
    expect(closed).toBe(true);
  });

  it('gives up waiting for ws_close after the drain timeout', async () => {
    const identity = NodeEd25519Identity.generate();
    const ic = new HoldingIc(() => identity.getPrincipal());
    const gateway = await startGateway({ listen: '127.0.0.1:0', adminListen: '', identity, ic, logger: silent, drainTimeoutMs: 20 });
    await openClients(gateway.url, ic, identity, 1);
    await gateway.close();
    expect(ic.closed).toHaveLength(1);
  });

  it('refuses upgrades beyond maxConnections with HTTP 503 and serves the others', async () => {
    const identity = NodeEd25519Identity.generate();
    const ic = new ScriptedIc(() => identity.getPrincipal());
    const gateway = await startGateway({ listen: '127.0.0.1:0', adminListen: '', identity, ic, logger: silent, maxConnections: 2 });
    const a = await TestClient.connect(gateway.url);
    const b = await TestClient.connect(gateway.url);
    await expect(TestClient.connect(gateway.url)).rejects.toThrow(/HTTP 503/);
    a.ws.close();
    await a.closed;
    const c = await TestClient.connect(gateway.url);
    expect((await c.nextFrame()).length).toBeGreaterThan(0);
    expect(b.ws.readyState).toBe(b.ws.OPEN);
    await gateway.close();
  });

  it('closes a client that never sends ws_open after the open timeout (4006)', async () => {
    const identity = NodeEd25519Identity.generate();
    const ic = new ScriptedIc(() => identity.getPrincipal());
    const gateway = await startGateway({ listen: '127.0.0.1:0', adminListen: '', identity, ic, logger: silent, openTimeoutMs: 30 });
    const client = await TestClient.connect(gateway.url);
    expect((await client.closed).code).toBe(CloseCode.OpenTimeout);
    expect(ic.closed).toHaveLength(0);
    await gateway.close();
  });

  it('serves wss:// with --tls-cert/--tls-key', async () => {
    const identity = NodeEd25519Identity.generate();
    const ic = new ScriptedIc(() => identity.getPrincipal());
    const tlsCert = fileURLToPath(new URL('./fixtures/tls-cert.pem', import.meta.url));
    const tlsKey = fileURLToPath(new URL('./fixtures/tls-key.pem', import.meta.url));
    const gateway = await startGateway({ listen: '127.0.0.1:0', adminListen: '', identity, ic, logger: silent, tlsCert, tlsKey });
    expect(gateway.url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/);
    const [client] = await openClients(gateway.url, ic, identity, 1, await readFile(tlsCert, 'utf8'));
    expect(client!.client.frames).toHaveLength(2);
    await gateway.close();
    await expect(startGateway({ listen: '127.0.0.1:0', adminListen: '', identity, ic, logger: silent, tlsCert: tlsKey + '.missing', tlsKey })).rejects.toMatchObject({
      code: 'INVALID_OPTIONS',
    });
  });

  it('polls each canister with sessions, and stops polling a canister whose last session ended', async () => {
    const identity = NodeEd25519Identity.generate();
    const ic = new ScriptedIc(() => identity.getPrincipal());
    const gateway = await startGateway({ listen: '127.0.0.1:0', adminListen: '', identity, ic, logger: silent, pollingIntervalMs: 1 });
    const [a] = await openClients(gateway.url, ic, identity, 1);
    const other = testCanisterId(2);
    const key = { client_principal: testPrincipal(40), client_nonce: 9n };
    const b = await TestClient.connect(gateway.url);
    await b.nextFrame();
    b.send(openFrame(other, key, identity.getPrincipal()));
    await ic.relayedAtLeast(2);
    ic.enqueue(other, key, Uint8Array.of(5));
    await b.nextFrame();
    expect(await gateway.metrics.pollers.get()).toMatchObject({ values: [{ value: 2 }] });
    a!.client.ws.close();
    await ic.closedFor(a!.key);
    expect(await gateway.metrics.pollers.get()).toMatchObject({ values: [{ value: 1 }] });
    const polledBefore = ic.polls.filter((p) => p === canister.toText()).length;
    ic.enqueue(other, key, Uint8Array.of(6));
    await b.nextFrame();
    ic.enqueue(other, key, Uint8Array.of(7));
    await b.nextFrame();
    // Two more rounds of polling the other canister went by; the first canister was not polled again.
    expect(ic.polls.filter((p) => p === canister.toText()).length).toBe(polledBefore);
    await gateway.close();
  });

  it('reports a missing IC on /readyz and a listen failure as LISTEN_FAILED', async () => {
    const identity = NodeEd25519Identity.generate();
    const ic = new ScriptedIc(() => identity.getPrincipal());
    const down = deferred();
    ic.checkStatus = async () => {
      down.resolve();
      throw new Error('connection refused');
    };
    const gateway = await startGateway({ listen: '127.0.0.1:0', adminListen: '127.0.0.1:0', identity, ic, logger: silent });
    await down.promise;
    const ready = await fetch(`${gateway.adminUrl}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.text()).toBe('not ready: connection refused\n');
    // A busy port: one line naming the port and the flag that moves the server.
    const port = new URL(gateway.url).port;
    await expect(startGateway({ listen: `127.0.0.1:${port}`, adminListen: '', identity, ic, logger: silent })).rejects.toMatchObject({
      code: 'LISTEN_FAILED',
      message: `WebSocket server cannot listen on 127.0.0.1:${port}: port ${port} is in use; choose another with --listen (IC_WS_LISTEN)`,
    });
    const adminPort = new URL(gateway.adminUrl!).port;
    await expect(startGateway({ listen: '127.0.0.1:0', adminListen: `127.0.0.1:${adminPort}`, identity, ic, logger: silent })).rejects.toMatchObject({
      code: 'LISTEN_FAILED',
      message: expect.stringMatching(new RegExp(`^admin server cannot listen on 127\\.0\\.0\\.1:${adminPort}: port ${adminPort} is in use; choose another with --admin-listen`)),
    });
    await gateway.close();
  });
});
