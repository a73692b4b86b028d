import { Certificate } from '@dfinity/agent';
import { Principal } from '@dfinity/principal';
import { checkDelegationCoversCanister, cborDecode, delegationCanisterRanges, lookupPath, reconstruct, type HashTree } from 'ic-ws-protocol';
import { describe, expect, it } from 'vitest';
import { RootKey } from '../crypto/root-key';
import { canisterIdFromIndex } from '../scheduling/canister-id';
import { FLAT_RANGES, NnsDelegation, type CertificateDelegation } from './nns-delegation';
import { timeSubtree } from './state-tree';

const rootKey = RootKey.create();
const subnetKey = RootKey.create();
const subnetId = Principal.selfAuthenticating(subnetKey.der);
const first = [canisterIdFromIndex(0x10n), canisterIdFromIndex(0x1fn)] as const;
const second = [canisterIdFromIndex(0x100n), canisterIdFromIndex(0x1ffn)] as const;
const nns = new NnsDelegation(
  { subnetId, publicKeyDer: subnetKey.der, canisterRanges: [second, first], nodes: [] },
  rootKey,
  timeSubtree(BigInt(Date.now()) * 1_000_000n),
);

function treeOf(delegation: CertificateDelegation): HashTree {
  return (cborDecode(delegation.certificate) as Map<string, unknown>).get('tree') as HashTree;
}
const sid = subnetId.toUint8Array();

describe('NnsDelegation', () => {
  it('hands out flat, tree and no-ranges copies of one root-signed certificate, as the replica filters it', async () => {
    const flat = nns.delegation(FLAT_RANGES);
    const tree = nns.delegation({ format: 'tree', canisterId: canisterIdFromIndex(0x150n) });
    const none = nns.delegation({ format: 'none' });
    // One signature, one root hash: every copy is the same certificate, pruned differently.
    expect(new Set([flat, tree, none].map((d) => reconstruct(treeOf(d)).join()))).toHaveProperty('size', 1);
    for (const delegation of [flat, tree, none]) {
      expect(delegation.subnet_id).toEqual(sid);
      await expect(Certificate.create({ certificate: delegation.certificate, rootKey: rootKey.der, canisterId: first[0] })).resolves.toBeDefined();
      expect(lookupPath(treeOf(delegation), ['subnet', sid, 'public_key'])).toEqual({ status: 'found', value: subnetKey.der });
    }
    expect(delegationCanisterRanges(treeOf(flat), subnetId)).toMatchObject({ format: 'flat' });
    expect(lookupPath(treeOf(flat), ['canister_ranges', sid, second[0].toUint8Array()]).status).toBe('unknown');
    // Tree: only the shard labelled 0x100 (the greatest label not above 0x150), the flat leaf pruned.
    const ranges = delegationCanisterRanges(treeOf(tree), subnetId);
    expect(ranges.format === 'tree' && ranges.shards.map((shard) => Principal.fromUint8Array(shard.label).toText())).toEqual([second[0].toText()]);
    expect(ranges).toMatchObject({ flat: undefined });
    expect(lookupPath(treeOf(tree), ['subnet', sid, 'canister_ranges']).status).toBe('unknown');
    expect(checkDelegationCoversCanister(treeOf(tree), subnetId, canisterIdFromIndex(0x150n)).format).toBe('tree');
    expect(delegationCanisterRanges(treeOf(none), subnetId)).toEqual({ format: 'none' });
  });

  it('selects the shard by label alone, as the replica does, and reveals no ranges below every label', () => {
    // 0x50 lies between the shards: the shard labelled 0x10 is revealed, and it does not cover 0x50.
    const between = nns.delegation({ format: 'tree', canisterId: canisterIdFromIndex(0x50n) });
    expect(() => checkDelegationCoversCanister(treeOf(between), subnetId, canisterIdFromIndex(0x50n))).toThrow(/do not cover canister/);
    expect(checkDelegationCoversCanister(treeOf(between), subnetId, canisterIdFromIndex(0x11n)).format).toBe('tree');
    const below = nns.delegation({ format: 'tree', canisterId: canisterIdFromIndex(0x1n) });
    expect(delegationCanisterRanges(treeOf(below), subnetId)).toEqual({ format: 'none' });
    // Filtered once per shard.
    expect(nns.delegation({ format: 'tree', canisterId: canisterIdFromIndex(0x12n) })).toBe(between);
  });
});
