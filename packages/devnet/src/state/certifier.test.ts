import { describe, expect, it } from 'vitest';
import { Certificate, lookupResultToBuffer } from '@dfinity/agent';
import { Principal } from '@dfinity/principal';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';
import { cborDecode, lookupPath, reconstruct, type HashTree } from 'ic-ws-protocol';
import { canisterIdFromIndex } from '../scheduling/canister-id';
import { unsignedLeb128 } from '../crypto/request-id';
import { Certifier } from './certifier';

const canister = canisterIdFromIndex(0n);

function setup() {
  let now = BigInt(Date.now()) * 1_000_000n;
  let data = utf8ToBytes('hello');
  const certifier = new Certifier({
    state: { canisterIds: () => [canister], certifiedData: () => data, now: () => now },
  });
  return { certifier, setData: (d: Uint8Array) => (data = d), tick: () => (now += 1n) };
}

function treeOf(certificate: Uint8Array): HashTree {
  return (cborDecode(certificate) as Map<string, unknown>).get('tree') as HashTree;
}

describe('Certifier', () => {
  it('certifies exactly the asked paths plus time, under a signature @dfinity/agent accepts', async () => {
    const { certifier } = setup();
    const bytes = certifier.dataCertificate(canister);
    const certificate = await Certificate.create({ certificate: bytes, rootKey: certifier.rootKey.der, canisterId: canister });
    expect(new TextDecoder().decode(lookupResultToBuffer(certificate.lookup_path(['canister', canister.toUint8Array(), 'certified_data'])))).toBe('hello');
    expect(certificate.lookup_path(['subnet']).status).not.toBe('Found');
    const tree = treeOf(bytes);
    expect(lookupPath(tree, ['time']).status).toBe('found');
    expect(lookupPath(tree, ['subnet', certifier.subnet.subnetId.toUint8Array(), 'public_key']).status).toBe('unknown');
  });

  it('proves absent request ids and unknown canisters absent, not unknown', () => {
    const { certifier } = setup();
    certifier.requestStatuses.admit({ requestId: new Uint8Array(32).fill(5), sender: Principal.anonymous(), canisterId: canister, ingressExpiry: 0n });
    const missingId = new Uint8Array(32).fill(9);
    const tree = treeOf(certifier.certify([['request_status', missingId], ['canister', canisterIdFromIndex(1n).toUint8Array()]]));
    expect(lookupPath(tree, ['request_status', missingId, 'status']).status).toBe('absent');
    expect(lookupPath(tree, ['canister', canisterIdFromIndex(1n).toUint8Array(), 'certified_data']).status).toBe('absent');
  });

  it('signs the same root whether or not the request statuses are revealed', () => {
    const { certifier } = setup();
    const requestId = new Uint8Array(32).fill(1);
    certifier.requestStatuses.admit({ requestId, sender: Principal.anonymous(), canisterId: canister, ingressExpiry: 0n });
    certifier.requestStatuses.update(requestId, { status: 'replied', reply: Uint8Array.of(1) });
    // Same clock reading for both certificates, so the roots must match.
    const hidden = treeOf(certifier.certify([]));
    const shown = treeOf(certifier.certify([['request_status', requestId]]));
    expect(bytesToHex(reconstruct(hidden))).toBe(bytesToHex(reconstruct(shown)));
    expect(lookupPath(shown, ['request_status', requestId, 'reply']).status).toBe('found');
    expect(lookupPath(hidden, ['request_status', requestId, 'reply']).status).toBe('unknown');
  });

  it('follows certified data changes and the clock', () => {
    const { certifier, setData, tick } = setup();
    const before = treeOf(certifier.dataCertificate(canister));
    setData(Uint8Array.of(42));
    tick();
    const after = treeOf(certifier.dataCertificate(canister));
    const path = ['canister', canister.toUint8Array(), 'certified_data'];
    expect(lookupPath(after, path)).toEqual({ status: 'found', value: Uint8Array.of(42) });
    expect(bytesToHex(reconstruct(before))).not.toBe(bytesToHex(reconstruct(after)));
  });

  it('hands out one certificate per round: same bytes until the state changes or the round ages', () => {
    let now = 1_000_000_000_000n;
    let data = Uint8Array.of(1);
    const certifier = new Certifier({ state: { canisterIds: () => [canister], certifiedData: () => data, now: () => now }, maxRoundAgeMs: 1000 });
    const first = certifier.dataCertificate(canister);
    now += 999_000_000n; // within the round's age: nothing changed, same round
    expect(bytesToHex(certifier.dataCertificate(canister))).toBe(bytesToHex(first));
    expect(certifier.currentRound().height).toBe(1);
    data = Uint8Array.of(2); // certified data changed: a new round
    const second = certifier.dataCertificate(canister);
    expect(bytesToHex(second)).not.toBe(bytesToHex(first));
    expect(certifier.currentRound().height).toBe(2);
    const requestId = new Uint8Array(32).fill(3);
    certifier.requestStatuses.admit({ requestId, sender: Principal.anonymous(), canisterId: canister, ingressExpiry: 0n });
    expect(certifier.currentRound().height).toBe(2); // admitted, not yet executed: not in the certified state
    certifier.requestStatuses.update(requestId, { status: 'replied', reply: Uint8Array.of(9) });
    expect(certifier.currentRound().height).toBe(3);
    now += 1_000_000_001n; // idle past the round's age: fresh time, new round
    expect(certifier.currentRound().height).toBe(4);
    expect(lookupPath(treeOf(certifier.dataCertificate(canister)), ['time'])).toEqual({ status: 'found', value: unsignedLeb128(now) });
  });

  it('certifies one status among 20 000 with a small witness @dfinity/agent accepts', async () => {
    const { certifier } = setup();
    const ids: Uint8Array[] = [];
    for (let i = 0; i < 20_000; i++) {
      const requestId = new Uint8Array(32);
      new DataView(requestId.buffer).setUint32(0, i * 2_654_435_761);
      ids.push(requestId);
      certifier.requestStatuses.admit({ requestId, sender: Principal.anonymous(), canisterId: canister, ingressExpiry: 0n });
      certifier.requestStatuses.update(requestId, { status: 'replied', reply: Uint8Array.of(i & 0xff) });
    }
    const target = ids[12_345] as Uint8Array;
    const bytes = certifier.certify([['request_status', target]]);
    expect(bytes.length).toBeLessThan(4_000); // a witness, not the 20 000 statuses
    const certificate = await Certificate.create({ certificate: bytes, rootKey: certifier.rootKey.der, canisterId: canister });
    expect(lookupResultToBuffer(certificate.lookup_path(['request_status', target, 'reply']))).toEqual(Uint8Array.of(12_345 & 0xff));
    expect(new TextDecoder().decode(lookupResultToBuffer(certificate.lookup_path(['request_status', target, 'status'])))).toBe('replied');
  });

  it('describes its subnet as agents derive it: the self-authenticating id of the root key', () => {
    const { certifier } = setup();
    expect(certifier.subnet.subnetId.toText()).toBe(Principal.selfAuthenticating(certifier.rootKey.der).toText());
    expect(() => new Certifier({ state: { canisterIds: () => [], certifiedData: () => new Uint8Array(), now: () => 0n }, nodeKeys: [] })).toThrow(
      /at least one node key/,
    );
  });
});
