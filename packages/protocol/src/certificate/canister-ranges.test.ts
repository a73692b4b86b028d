import { Principal } from '@dfinity/principal';
import { describe, expect, it } from 'vitest';
import { cborEncode } from '../cbor/cbor';
import { ErrorCode, ProtocolError } from '../errors';
import { labeledForest, leaf, pruned, reconstruct, type HashTree } from '../hash-tree/hash-tree';
import {
  canisterRangesCover,
  checkDelegationCoversCanister,
  decodeCanisterRanges,
  delegationCanisterRanges,
  encodeCanisterRanges,
} from './canister-ranges';

const subnetId = Principal.fromText('rrkah-fqaaa-aaaaa-aaaaq-cai');
/** The canister id of index `n` (as the IC allocates them: 8 bytes big-endian, then 0x01 0x01). */
function canister(n: number): Principal {
  const bytes = new Uint8Array(10);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(n));
  bytes.set([1, 1], 8);
  return Principal.fromUint8Array(bytes);
}
const low = [canister(0), canister(99)] as const;
const high = [canister(1000), canister(1999)] as const;

function subnetTree(fields: [string, HashTree][]): HashTree {
  return labeledForest([[subnetId.toUint8Array(), labeledForest(fields)]]);
}
function shardsTree(shards: [Principal, readonly (readonly [Principal, Principal])[]][]): HashTree {
  return labeledForest([[subnetId.toUint8Array(), labeledForest(shards.map(([label, ranges]) => [label.toUint8Array(), leaf(encodeCanisterRanges(ranges))]))]]);
}
function refusal(run: () => unknown): ProtocolError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    return error as ProtocolError;
  }
  throw new Error('expected a refusal');
}

describe('canister ranges leaves', () => {
  it('encode as the generic encoder does and decode back; bounds are inclusive, principals ordered bytewise', () => {
    const ranges = [low, high];
    const bytes = encodeCanisterRanges(ranges);
    expect(bytes).toEqual(cborEncode(ranges.map(([a, b]) => [a.toUint8Array(), b.toUint8Array()])));
    const decoded = decodeCanisterRanges(bytes);
    expect(decoded).toEqual(ranges.map(([a, b]) => [a.toUint8Array(), b.toUint8Array()]));
    for (const n of [0, 50, 99, 1000, 1999]) expect(canisterRangesCover(decoded, canister(n))).toBe(true);
    for (const n of [100, 999, 2000]) expect(canisterRangesCover(decoded, canister(n))).toBe(false);
  });

  it('refuse a pair that is not a pair, a low above its high, a principal over 29 bytes, non-canonical CBOR', () => {
    expect(refusal(() => decodeCanisterRanges(cborEncode([[low[0].toUint8Array()]]))).code).toBe(ErrorCode.CborInvalidShape);
    expect(refusal(() => decodeCanisterRanges(encodeCanisterRanges([[canister(5), canister(4)]]))).code).toBe(ErrorCode.CborInvalidShape);
    expect(refusal(() => decodeCanisterRanges(cborEncode([[new Uint8Array(30), new Uint8Array(30)]]))).code).toBe(ErrorCode.FieldTooLarge);
    expect(refusal(() => decodeCanisterRanges(Uint8Array.of(0x98, 0x00))).code).toBe(ErrorCode.CborMalformed);
  });
});

describe('delegationCanisterRanges / checkDelegationCoversCanister', () => {
  const flatOnly = labeledForest([['subnet', subnetTree([['canister_ranges', leaf(encodeCanisterRanges([low]))]])]]);

  it('reads the flat format', () => {
    expect(delegationCanisterRanges(flatOnly, subnetId).format).toBe('flat');
    expect(checkDelegationCoversCanister(flatOnly, subnetId, canister(7)).format).toBe('flat');
    const refused = refusal(() => checkDelegationCoversCanister(flatOnly, subnetId, canister(1000)));
    expect(refused.code).toBe(ErrorCode.CertificateInvalid);
    expect(refused.message).toContain(`do not cover canister ${canister(1000).toText()}`);
  });

  it('reads the tree format with the other shards pruned, as a replica sends it for one canister', () => {
    const full = shardsTree([[low[0], [low]], [high[0], [high]]]);
    // Keep the shard of canister 1500 (label 1000), prune the other one, as CanisterRangesFilter::Tree does.
    const shards = labeledForest([[subnetId.toUint8Array(), labeledForest([[low[0].toUint8Array(), pruned(reconstruct(leaf(encodeCanisterRanges([low]))))], [high[0].toUint8Array(), leaf(encodeCanisterRanges([high]))]])]]);
    expect(reconstruct(shards)).toEqual(reconstruct(full));
    const tree = labeledForest([['canister_ranges', shards], ['subnet', subnetTree([['canister_ranges', pruned(new Uint8Array(32))]])]]);
    const found = checkDelegationCoversCanister(tree, subnetId, canister(1500));
    expect(found).toMatchObject({ format: 'tree', flat: undefined });
    expect(found.format === 'tree' && found.shards.map((s) => Principal.fromUint8Array(s.label).toText())).toEqual([high[0].toText()]);
    // The pruned shard proves nothing: canister 7 is refused although the full tree gives it to the subnet.
    const refused = refusal(() => checkDelegationCoversCanister(tree, subnetId, canister(7)));
    expect(refused.code).toBe(ErrorCode.CertificateInvalid);
    expect(refused.message).toContain(`for subnet ${subnetId.toText()} (canister_ranges shards) do not cover canister ${canister(7).toText()}`);
  });

  it('prefers the tree format and refuses a revealed flat leaf that disagrees with it', () => {
    const both = (flat: readonly (readonly [Principal, Principal])[]) =>
      labeledForest([['canister_ranges', shardsTree([[low[0], [low]]])], ['subnet', subnetTree([['canister_ranges', leaf(encodeCanisterRanges(flat))]])]]);
    expect(checkDelegationCoversCanister(both([low]), subnetId, canister(7)).format).toBe('tree');
    const refused = refusal(() => checkDelegationCoversCanister(both([high]), subnetId, canister(7)));
    expect(refused.code).toBe(ErrorCode.CertificateInvalid);
    expect(refused.message).toMatch(/disagree/);
  });

  it('refuses a delegation revealing no ranges (everything pruned, or nothing there) and a malformed shard', () => {
    const prunedAll = labeledForest([['canister_ranges', pruned(new Uint8Array(32))], ['subnet', subnetTree([['public_key', leaf(new Uint8Array(3))]])]]);
    expect(delegationCanisterRanges(prunedAll, subnetId).format).toBe('none');
    expect(refusal(() => checkDelegationCoversCanister(prunedAll, subnetId, canister(7))).message).toMatch(/are not in its certificate/);
    const otherSubnet = labeledForest([['canister_ranges', labeledForest([[canister(3).toUint8Array(), leaf(encodeCanisterRanges([low]))]])]]);
    expect(delegationCanisterRanges(otherSubnet, subnetId).format).toBe('none');
    const junk = labeledForest([['canister_ranges', labeledForest([[subnetId.toUint8Array(), leaf(new Uint8Array(1))]])]]);
    expect(refusal(() => delegationCanisterRanges(junk, subnetId)).code).toBe(ErrorCode.CborInvalidShape);
  });
});
