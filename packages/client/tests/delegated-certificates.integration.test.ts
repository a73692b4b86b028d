/**
 * IcWebSocket against mainnet-shaped certificates: the devnet runs as an application subnet, so every
 * certificate the client verifies carries the root key's delegation to the subnet, with its canister ranges,
 * in the flat format (gateway polling v2 query, the default) or the tree format (polling v3 query, as the
 * replica shards them). A gateway that relays a genuine certificate of another subnet, one whose ranges do
 * not cover the canister, is caught by the client's own verification, in either format.
 */
import { bls12_381 } from '@noble/curves/bls12-381';
import { CloseCode, ErrorCode } from 'ic-ws-client';
import { canisterIdFromIndex, startDevnet, type Devnet } from 'ic-ws-devnet';
import { cborDecode, decodeCertificate, delegationCanisterRanges } from 'ic-ws-protocol';
import { Cbor, Certificate, HttpAgent } from '@dfinity/agent';
import type { Principal } from '@dfinity/principal';
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
/** A gateway polling through `/api/v3/.../query`: the certificates it relays carry tree-format delegations. */
let v3GatewayUrl: string;
/** A ws-chat canister at index 0x50 of `net`, and a subnet whose one shard (0x10..0x20) is the one selected for it. */
let shardCanister: Principal;
let shardSubnet: Devnet;

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
  v3GatewayUrl = (await net.startGateway({ pollQueryApiVersion: 3 })).url;
  shardCanister = await net.devnet.install({ wasm: net.wasm, canisterId: canisterIdFromIndex(0x50n), arg: wsChatInitArg() });
  shardSubnet = await startDevnet({ delegatedCertificates: true, rootKeySecret, canisterRanges: [[canisterIdFromIndex(0x10n), canisterIdFromIndex(0x20n)]] });
  await shardSubnet.install({ wasm: net.wasm, canisterId: shardCanister, arg: wsChatInitArg() });
}, 180_000);

afterAll(async () => {
  await shardSubnet?.close();
  await otherSubnet?.close();
  await net?.close();
});

afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

/**
 * Connects a client of `canisterId` through a proxy in front of `gateway` that puts `foreign` in place of the
 * `cert` of the first app message the canister sends it; expects the client to close with CertificateInvalid
 * having delivered nothing, and returns how it closed.
 */
async function closedByForeignCertificate(gateway: string, canisterId: Principal, foreign: Uint8Array) {
  proxy = await HostileProxy.start(gateway);
  const client = net.client({ gatewayUrl: proxy.url, canisterId, reconnect: false });
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
  expect(client.messages).toEqual([]);
  return closed;
}

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

    const closed = await closedByForeignCertificate(gatewayUrl, net.canisterId, foreign);
    expect(closed.error?.message).toMatch(/canister_ranges/);
  });

  it('verifies certificates whose delegation has tree-format canister ranges, through a gateway polling v3 query', async () => {
    proxy = await HostileProxy.start(v3GatewayUrl);
    const client = net.client({ gatewayUrl: proxy.url });
    await client.nextOpen();
    client.ws.send({ text: 'sharded', count: 1, tags: [] });
    expect(await client.nextMessage()).toEqual({ text: 'echo:sharded', count: 2, tags: ['echoed'] });
    const certs = proxy.links.flatMap((link) => link.fromGateway.map((observed) => observed.frame.cert));
    expect(certs.length).toBeGreaterThanOrEqual(2);
    for (const cert of certs) {
      const { delegation } = decodeCertificate(cert);
      expect(delegationCanisterRanges(delegation!.certificate.tree, delegation!.subnetId)).toMatchObject({ format: 'tree', flat: undefined });
    }
    // What the client had to do beyond agent-js: @dfinity/agent 3.4.3 (and so ic-websocket-js 0.5) refuses these.
    await expect(Certificate.create({ certificate: certs[0]!, rootKey: net.devnet.rootKey, canisterId: net.canisterId })).rejects.toThrow(/Could not find canister ranges/);
    client.ws.close();
    await client.closed();
  });

  it('refuses a genuine tree-format certificate of a subnet whose selected shard does not cover the canister (CertificateInvalid)', async () => {
    // A v3 read_state of the canister on the other subnet: its delegation reveals the shard labelled 0x10
    // (the greatest label not above 0x50), covering 0x10..0x20 only. Anonymous, as read_state allows.
    const utf8 = (text: string) => new TextEncoder().encode(text);
    const envelope = Cbor.encode({
      content: {
        request_type: 'read_state',
        sender: new Uint8Array([4]),
        paths: [[utf8('canister'), shardCanister.toUint8Array(), utf8('certified_data')]],
        ingress_expiry: BigInt(Date.now() + 60_000) * 1_000_000n,
      },
    });
    const response = await fetch(new URL(`/api/v3/canister/${shardCanister.toText()}/read_state`, shardSubnet.url), {
      method: 'POST',
      headers: { 'content-type': 'application/cbor' },
      body: new Uint8Array(envelope),
    });
    expect(response.status).toBe(200);
    const foreign = (cborDecode(new Uint8Array(await response.arrayBuffer())) as Map<string, Uint8Array>).get('certificate')!;
    const { delegation } = decodeCertificate(foreign);
    const ranges = delegationCanisterRanges(delegation!.certificate.tree, delegation!.subnetId);
    expect(ranges.format === 'tree' && ranges.shards.map((shard) => shard.label)).toEqual([canisterIdFromIndex(0x10n).toUint8Array()]);

    const closed = await closedByForeignCertificate(v3GatewayUrl, shardCanister, foreign);
    expect(closed.error?.message).toContain(`(canister_ranges shards) do not cover canister ${shardCanister.toText()}`);
  });
});
