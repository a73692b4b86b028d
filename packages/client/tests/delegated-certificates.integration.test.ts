/**
 * IcWebSocket against mainnet-shaped certificates: the devnet runs as an application subnet, so every
 * certificate the client verifies carries the root key's delegation to the subnet, with its canister ranges.
 * A gateway that relays a genuine certificate of another subnet, one whose ranges do not cover the canister,
 * is caught by the client's own verification.
 */
import { bls12_381 } from '@noble/curves/bls12-381';
import { CloseCode, ErrorCode } from 'ic-ws-client';
import { canisterIdFromIndex, startDevnet, type Devnet } from 'ic-ws-devnet';
import { cborDecode } from 'ic-ws-protocol';
import { HttpAgent } from '@dfinity/agent';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HostileProxy } from './support/hostile-proxy';
import { TestNetwork } from './support/test-network';
import { buildWsChat, wsChatInitArg } from './support/ws-chat-canister';

const rootKeySecret = bls12_381.utils.randomPrivateKey();
let net: TestNetwork;
let gatewayUrl: string;
/** Another subnet under the same root key, hosting no canister range that includes the chat canister. */
let otherSubnet: Devnet;
let proxy: HostileProxy | undefined;

beforeAll(async () => {
  net = await TestNetwork.start({ delegatedCertificates: true, rootKeySecret });
  gatewayUrl = (await net.startGateway()).url;
  otherSubnet = await startDevnet({
    delegatedCertificates: true,
    rootKeySecret,
    canisterRanges: [[canisterIdFromIndex(0x20_0000n), canisterIdFromIndex(0x2f_ffffn)]],
  });
  // The same canister id and code, so its certificate certifies data at exactly the path the client reads.
  await otherSubnet.install({ wasm: await buildWsChat(), canisterId: net.canisterId, arg: wsChatInitArg() });
}, 180_000);

afterAll(async () => {
  await otherSubnet?.close();
  await net?.close();
});

afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

describe('IcWebSocket with delegated certificates', () => {
  it('verifies certificates that carry a delegation, through a real gateway', async () => {
    const client = net.client({ gatewayUrl });
    await client.nextOpen();
    client.ws.send({ text: 'delegated', count: 1, tags: ['d'] });
    expect(await client.nextMessage()).toEqual({ text: 'echo:delegated', count: 2, tags: ['d', 'echoed'] });
    client.ws.close();
    await client.closed();
  });

  it("refuses a genuine certificate of a subnet whose canister ranges exclude the canister (CertificateInvalid)", async () => {
    const agent = await HttpAgent.create({ host: otherSubnet.url, rootKey: otherSubnet.rootKey });
    const utf8 = (text: string) => new TextEncoder().encode(text);
    const { certificate } = await agent.readState(net.canisterId, { paths: [[utf8('canister'), net.canisterId.toUint8Array(), utf8('certified_data')]] });
    const foreign = new Uint8Array(certificate);
    expect((cborDecode(foreign) as Map<string, unknown>).has('delegation')).toBe(true);

    proxy = await HostileProxy.start(gatewayUrl);
    const client = net.client({ gatewayUrl: proxy.url, reconnect: false });
    const open = await client.nextOpen();
    const link = proxy.links.find((candidate) => candidate.fromGateway.some((f) => f.service !== undefined && 'OpenMessage' in f.service && f.message.client_key.client_nonce === open.clientKey.client_nonce));
    let swapped = false;
    proxy.rule = (observed, from) => {
      if (from !== link || swapped || observed.message.is_service_message) return [observed.frame];
      swapped = true;
      return [{ ...observed.frame, cert: foreign }];
    };
    client.ws.send({ text: 'relayed from elsewhere', count: 1, tags: [] });
    const closed = await client.closed();
    expect(swapped).toBe(true);
    expect({ code: closed.code, error: closed.error?.code }).toEqual({ code: CloseCode.CertificateInvalid, error: ErrorCode.CertificateInvalid });
    expect(closed.error?.message).toMatch(/canister_ranges/);
    expect(client.messages).toEqual([]);
  });
});
