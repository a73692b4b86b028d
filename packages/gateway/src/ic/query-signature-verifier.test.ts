import { generateKeyPairSync, sign } from 'node:crypto';
import { IC_RESPONSE_DOMAIN_SEPARATOR } from '@dfinity/agent';
import { Principal } from '@dfinity/principal';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../gateway-error';
import { queryResponseHash, type QueryAnswer } from './query-response-hash';
import { QuerySignatureVerifier, type NodeSignature } from './query-signature-verifier';

const canister = Principal.fromText('rrkah-fqaaa-aaaaa-aaaaq-cai');
const NOW_MS = 1_764_000_000_000;
/** An answer with the timestamp its node signs it at. */
type Signed = QueryAnswer & { timestamp: bigint };

function makeNode(seed: number) {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const id = Principal.fromUint8Array(Uint8Array.of(seed, 1, 2, 3, 2));
  return {
    id,
    der: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })),
    sign(response: Signed): NodeSignature {
      const message = Buffer.concat([Buffer.from(IC_RESPONSE_DOMAIN_SEPARATOR), queryResponseHash(response, response.timestamp)]);
      return { timestamp: response.timestamp, signature: new Uint8Array(sign(null, message, privateKey)), identity: id.toUint8Array() };
    },
  };
}

const nodeA = makeNode(1);
const nodeB = makeNode(2);
const reply = (arg = Uint8Array.of(1, 2, 3), timestamp = BigInt(NOW_MS) * 1_000_000n): Signed => ({
  status: 'replied',
  arg,
  timestamp,
  requestId: new Uint8Array(32).fill(7),
});

/** A verifier over a subnet whose node set the test changes; counts the key fetches. */
function setup(initialNodes = [nodeA]) {
  const subnet = { nodes: initialNodes, fetches: 0, fail: false, now: NOW_MS };
  const verifier = new QuerySignatureVerifier({
    fetchNodeKeys: async (id) => {
      expect(id.toText()).toBe(canister.toText());
      subnet.fetches += 1;
      if (subnet.fail) throw new Error('read_state refused');
      return new Map(subnet.nodes.map((node) => [node.id.toText(), node.der]));
    },
    now: () => subnet.now,
  });
  return { subnet, verifier };
}

async function failureOf(promise: Promise<unknown>): Promise<GatewayError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof GatewayError)) throw new Error(`expected a GatewayError, got ${String(error)}`);
  return error;
}

describe('QuerySignatureVerifier', () => {
  it('accepts answers signed by a node of the subnet, fetching the keys once', async () => {
    const { subnet, verifier } = setup([nodeA, nodeB]);
    await verifier.verify(canister, reply(), [nodeA.sign(reply())]);
    await verifier.verify(canister, reply(Uint8Array.of(9)), [nodeB.sign(reply(Uint8Array.of(9)))]);
    expect(subnet.fetches).toBe(1);
  });

  it('accepts a rejection signed by a node', async () => {
    const { verifier } = setup();
    const rejected: Signed = { status: 'rejected', rejectCode: 5, rejectMessage: 'trapped', errorCode: 'IC0503', timestamp: reply().timestamp, requestId: new Uint8Array(32) };
    await verifier.verify(canister, rejected, [nodeA.sign(rejected)]);
  });

  it('refuses an unsigned answer, a changed reply, a changed request id and one bad signature among good ones', async () => {
    const { verifier } = setup([nodeA, nodeB]);
    const good = nodeA.sign(reply());
    expect((await failureOf(verifier.verify(canister, reply(), []))).message).toMatch(/no node signature/);
    expect((await failureOf(verifier.verify(canister, reply(), undefined))).code).toBe('POLL_FAILED');
    expect((await failureOf(verifier.verify(canister, reply(Uint8Array.of(1, 2, 4)), [good]))).message).toMatch(/does not verify/);
    expect((await failureOf(verifier.verify(canister, { ...reply(), requestId: new Uint8Array(32) }, [good]))).message).toMatch(/does not verify/);
    const forged = { ...nodeB.sign(reply()), signature: new Uint8Array(64) };
    expect((await failureOf(verifier.verify(canister, reply(), [good, forged]))).message).toMatch(/does not verify/);
  });

  it('refuses a node outside the subnet after fetching the keys once more', async () => {
    const { subnet, verifier } = setup([nodeA]);
    await verifier.verify(canister, reply(), [nodeA.sign(reply())]);
    subnet.now += 1;
    const error = await failureOf(verifier.verify(canister, reply(), [nodeB.sign(reply())]));
    expect(error.message).toContain(`node ${nodeB.id.toText()} is not a node of the canister's subnet`);
    expect(subnet.fetches).toBe(2);
  });

  it('follows a node that joined the subnet since the keys were fetched', async () => {
    const { subnet, verifier } = setup([nodeA]);
    await verifier.verify(canister, reply(), [nodeA.sign(reply())]);
    subnet.nodes = [nodeA, nodeB];
    subnet.now += 1;
    await verifier.verify(canister, reply(), [nodeB.sign(reply())]);
    expect(subnet.fetches).toBe(2);
  });

  it('refuses a signature older than maxAgeMs and accepts one from the future, as agent-js', async () => {
    const { verifier } = setup();
    const stale = reply(undefined, BigInt(NOW_MS - 300_001) * 1_000_000n);
    expect((await failureOf(verifier.verify(canister, stale, [nodeA.sign(stale)]))).message).toMatch(/older than 300000 ms/);
    const ahead = reply(undefined, BigInt(NOW_MS + 60_000) * 1_000_000n);
    await verifier.verify(canister, ahead, [nodeA.sign(ahead)]);
  });

  it('fetches the keys again after their time to live, and after a failed fetch', async () => {
    const { subnet, verifier } = setup();
    subnet.fail = true;
    expect((await failureOf(verifier.verify(canister, reply(), [nodeA.sign(reply())]))).message).toMatch(/cannot fetch the subnet's node keys: read_state refused/);
    subnet.fail = false;
    await verifier.verify(canister, reply(), [nodeA.sign(reply())]);
    expect(subnet.fetches).toBe(2);
    subnet.now += 300_001;
    const later = reply(undefined, BigInt(subnet.now) * 1_000_000n);
    await verifier.verify(canister, later, [nodeA.sign(later)]);
    expect(subnet.fetches).toBe(3);
  });

  it('shares one fetch between concurrent checks', async () => {
    const { subnet, verifier } = setup();
    await Promise.all(Array.from({ length: 5 }, () => verifier.verify(canister, reply(), [nodeA.sign(reply())])));
    expect(subnet.fetches).toBe(1);
  });
});
