import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeEd25519Identity } from '../src/ic/node-ed25519-identity';
import { startGateway, type GatewayHandle } from '../src/start-gateway';
import { messageFrame, openFrame, testCanisterId, testPrincipal } from '../src/testing/client-frames';
import { ScriptedIc } from '../src/testing/scripted-ic';
import { TestClient } from '../src/testing/test-client';

const canister = testCanisterId(1);
let gateway: GatewayHandle | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

async function inboundBytesHeld(adminUrl: string): Promise<number> {
  const text = await (await fetch(`${adminUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('ic_ws_gateway_inbound_bytes '));
  if (line === undefined) throw new Error('no ic_ws_gateway_inbound_bytes in /metrics');
  return Number(line.split(' ')[1]);
}

describe('inbound byte accounting', () => {
  it('holds nothing for sessions whose frames were all relayed (a chunk is counted before its frames are taken out)', async () => {
    const identity = NodeEd25519Identity.generate();
    const ic = new ScriptedIc(() => identity.getPrincipal());
    gateway = await startGateway({ listen: '127.0.0.1:0', adminListen: '127.0.0.1:0', identity, ic, logger: pino({ level: 'silent' }) });
    const clients: TestClient[] = [];
    for (let i = 0; i < 3; i++) {
      const key = { client_principal: testPrincipal(30 + i), client_nonce: BigInt(i) };
      const client = await TestClient.connect(gateway.url);
      await client.nextFrame();
      client.send(openFrame(canister, key, identity.getPrincipal()));
      await ic.relayedAtLeast(2 * i + 1);
      ic.enqueue(canister, key, Uint8Array.of(i));
      await client.nextFrame();
      client.send(messageFrame(canister, key, 1n));
      await ic.relayedAtLeast(2 * i + 2);
      clients.push(client);
    }
    // Frames were parsed and relayed: nothing is in progress nor waiting for relay.
    await expect.poll(() => inboundBytesHeld(gateway!.adminUrl!), { timeout: 2_000 }).toBe(0);
    // A partial frame is held (counted) until the rest comes.
    clients[0]!.sendRaw(Uint8Array.of(0x82, 0xfe, 0x01, 0x00));
    await expect.poll(() => inboundBytesHeld(gateway!.adminUrl!), { timeout: 2_000 }).toBeGreaterThan(0);
    for (const client of clients) client.close();
  });
});
