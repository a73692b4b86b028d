/**
 * A hostile gateway: a proxy between IcWebSocket and a real gateway (itself in front of the devnet and the
 * ws-chat canister) tampers with what the canister certified. For every attack the client must close with the
 * attack's own close code, and the app must never see the bad message.
 */
import { HttpAgent } from '@dfinity/agent';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { IDL } from '@dfinity/candid';
import { CloseCode, ErrorCode } from 'ic-ws-client';
import { RootKey } from 'ic-ws-devnet';
import type { CanisterMessageFrame } from 'ic-ws-protocol';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ClientRecorder } from './support/client-recorder';
import { flipContentBit, forgeWitness, renameGateway, resignCertificate, respellSignatureLength } from './support/frame-forgery';
import { HostileProxy, type ObservedFrame, type ProxiedLink } from './support/hostile-proxy';
import { useManualTestNetwork } from './support/manual-test-network';
import type { TestNetwork } from './support/test-network';
import { ChatMessageIdl, type ChatMessage } from './support/ws-chat-canister';

let net: TestNetwork;
let gatewayUrl: string;
let proxy: HostileProxy;

useManualTestNetwork((started) => (net = started));

beforeAll(async () => {
  gatewayUrl = (await net.startGateway()).url;
}, 120_000);

beforeEach(async () => {
  proxy = await HostileProxy.start(gatewayUrl);
});

afterEach(async () => {
  await proxy.close();
});

const isApp = (observed: ObservedFrame) => !observed.message.is_service_message;
const hello = (text: string): ChatMessage => ({ text, count: 1, tags: ['t'] });

/** A client through the proxy, opened, and its link; reconnection off so the close shows the attack's code. */
async function openClient(options: Parameters<TestNetwork['client']>[0] = { gatewayUrl: proxy.url }) {
  const client = net.client({ ...options, gatewayUrl: proxy.url, reconnect: false });
  const open = await client.nextOpen();
  const link = proxy.links.find((candidate) => candidate.fromGateway.some((f) => f.service !== undefined && 'OpenMessage' in f.service && f.message.client_key.client_nonce === open.clientKey.client_nonce));
  if (link === undefined) throw new Error('the proxy saw no OpenMessage for this client');
  return { client, open, link };
}

/** Asserts the client closed itself with `code` (and error `errorCode`) having handed the app nothing bad. */
async function expectClosedBy(client: ClientRecorder<ChatMessage>, code: number, errorCode: string, appMessagesSeen: ChatMessage[] = []) {
  const closed = await client.closed();
  expect({ code: closed.code, error: closed.error?.code, wasClean: closed.wasClean }).toEqual({ code, error: errorCode, wasClean: false });
  expect(client.messages).toEqual(appMessagesSeen);
  expect(client.ws.state).toBe('closed');
  return closed;
}

/** Applies `tamper` to the first app message of `link`; every other frame passes unchanged. */
function tamperFirstAppMessage(link: ProxiedLink, tamper: (frame: CanisterMessageFrame) => CanisterMessageFrame[]): { done: boolean } {
  const state = { done: false };
  proxy.rule = (observed, from) => {
    if (from !== link || state.done || !isApp(observed)) return [observed.frame];
    state.done = true;
    return tamper(observed.frame);
  };
  return state;
}

describe('IcWebSocket behind a hostile gateway', () => {
  it('rejects a message with one bit of its content flipped (WitnessInvalid)', async () => {
    const { client, link } = await openClient();
    const tampered = tamperFirstAppMessage(link, (frame) => [flipContentBit(frame, frame.content.length - 1)]);
    client.ws.send(hello('flip me'));
    const closed = await expectClosedBy(client, CloseCode.WitnessInvalid, ErrorCode.WitnessInvalid);
    expect(tampered.done).toBe(true);
    expect(closed.error?.message).toMatch(/does not match its certified hash/);
  });

  it('rejects a certified message meant for another client (WrongClientKey)', async () => {
    const victim = await openClient();
    const other = await openClient();
    // Whatever the canister sends the other client is also handed to the victim.
    proxy.rule = (observed, from) => {
      if (from === other.link && isApp(observed)) victim.link.deliver(observed.frame);
      return [observed.frame];
    };
    other.client.ws.send(hello('for the other client only'));
    expect(await other.client.nextMessage()).toMatchObject({ text: 'echo:for the other client only' });
    await expectClosedBy(victim.client, CloseCode.WrongClientKey, ErrorCode.WrongClientKey);
    // The other client's session is unharmed.
    other.client.ws.send(hello('still fine'));
    expect(await other.client.nextMessage()).toMatchObject({ text: 'echo:still fine' });
  });

  it('rejects reordered messages (WrongSequenceNumber)', async () => {
    const { client, link } = await openClient();
    let held: CanisterMessageFrame | undefined;
    proxy.rule = (observed, from) => {
      if (from !== link || !isApp(observed)) return [observed.frame];
      if (held === undefined) {
        held = observed.frame;
        return [];
      }
      return [observed.frame, held];
    };
    client.ws.send(hello('first'));
    client.ws.send(hello('second'));
    const closed = await expectClosedBy(client, CloseCode.WrongSequenceNumber, ErrorCode.WrongSequenceNumber);
    expect(held).toBeDefined();
    expect(closed.error?.message).toMatch(/expected canister message 2, got 3/);
  });

  it('rejects a replayed message, after delivering the original once (NonceNotGrowing)', async () => {
    const { client, link } = await openClient();
    tamperFirstAppMessage(link, (frame) => [frame, frame]);
    client.ws.send(hello('once'));
    const closed = await expectClosedBy(client, CloseCode.NonceNotGrowing, ErrorCode.NonceNotGrowing, [
      { text: 'echo:once', count: 2, tags: ['t', 'echoed'] },
    ]);
    expect(closed.error?.message).toMatch(/is not above/);
  });

  it('notices a dropped message when the next one arrives (WrongSequenceNumber)', async () => {
    const { client, link } = await openClient();
    const dropped = tamperFirstAppMessage(link, () => []);
    client.ws.send(hello('dropped'));
    client.ws.send(hello('next'));
    const closed = await expectClosedBy(client, CloseCode.WrongSequenceNumber, ErrorCode.WrongSequenceNumber);
    expect(dropped.done).toBe(true);
    expect(closed.error?.message).toMatch(/expected canister message 2, got 3/);
  });

  it('rejects a certificate signed by another root key (CertificateInvalid)', async () => {
    const { client, link } = await openClient();
    const impostor = RootKey.create();
    tamperFirstAppMessage(link, (frame) => [resignCertificate(frame, impostor)]);
    client.ws.send(hello('re-signed'));
    const closed = await expectClosedBy(client, CloseCode.CertificateInvalid, ErrorCode.CertificateInvalid);
    expect(closed.error?.message).toMatch(/Invalid signature/);
  });

  it('rejects a genuine certificate whose signature length is respelled in more bytes (CertificateInvalid)', async () => {
    const { client, link } = await openClient();
    // Same values, so agent-js alone would verify it; the client decodes certificates strictly first.
    tamperFirstAppMessage(link, (frame) => [{ ...frame, cert: respellSignatureLength(frame.cert) }]);
    client.ws.send(hello('respelled'));
    const closed = await expectClosedBy(client, CloseCode.CertificateInvalid, ErrorCode.CertificateInvalid);
    expect(closed.error?.message).toMatch(/not canonical/);
  });

  it('rejects a forged witness that proves content of the gateway\'s choosing (WitnessInvalid)', async () => {
    const { client, link, open } = await openClient();
    tamperFirstAppMessage(link, (frame) => {
      const original = link.fromGateway.find((f) => f.frame === frame)!.message;
      const content = new Uint8Array(IDL.encode([ChatMessageIdl], [{ text: 'forged', count: 999, tags: [] }]));
      return [forgeWitness(frame, { ...original, client_key: open.clientKey, content })];
    });
    client.ws.send(hello('genuine'));
    const closed = await expectClosedBy(client, CloseCode.WitnessInvalid, ErrorCode.WitnessInvalid);
    expect(closed.error?.message).toMatch(/witness root hash is not the certified data/);
  });

  it('rejects a message key naming another gateway (WrongGateway)', async () => {
    const { client, link } = await openClient();
    const elsewhere = Ed25519KeyIdentity.generate().getPrincipal();
    tamperFirstAppMessage(link, (frame) => [renameGateway(frame, elsewhere)]);
    client.ws.send(hello('renamed'));
    const closed = await expectClosedBy(client, CloseCode.WrongGateway, ErrorCode.WrongGateway);
    expect(closed.error?.message).toContain(elsewhere.toText());
  });

  // Last in the file: it moves IC time furthest ahead of the wall clock.
  it('rejects a genuine certificate older than maxCertificateAgeMs, aged on the devnet clock (CertificateInvalid)', async () => {
    // The client's clock follows the IC's through the agent, as a real app's does after syncTime.
    const agent = await HttpAgent.create({ host: net.devnet.url, rootKey: net.devnet.rootKey });
    await agent.syncTime(net.canisterId);
    const maxCertificateAgeMs = 60_000;
    const { client, link } = await openClient({ gatewayUrl: proxy.url, agent, maxCertificateAgeMs });
    const oldCert = link.fromGateway[0]!.frame.cert;

    await net.advanceTime(2 * maxCertificateAgeMs);
    await agent.syncTime(net.canisterId);
    expect(agent.getTimeDiffMsecs()).toBeGreaterThan(maxCertificateAgeMs);
    // Fresh certificates still pass at the new time...
    client.ws.send(hello('fresh'));
    expect(await client.nextMessage()).toMatchObject({ text: 'echo:fresh' });
    // ...but the old one, genuine and once accepted, is now too old.
    tamperFirstAppMessage(link, (frame) => [{ ...frame, cert: oldCert }]);
    client.ws.send(hello('stale'));
    const closed = await expectClosedBy(client, CloseCode.CertificateInvalid, ErrorCode.CertificateInvalid, [
      { text: 'echo:fresh', count: 2, tags: ['t', 'echoed'] },
    ]);
    expect(closed.error?.message).toMatch(/outside the accepted window \(max age 60000 ms\)/);
  });
});
